"""German articles (deu_Latn)."""

ARTICLES = [
"""Gemeinderat streitet über neues Baugebiet am Waldrand
Der Gemeinderat hat am Mittwochabend erneut über das geplante Baugebiet am Waldrand diskutiert, ohne sich auf eine endgültige Entscheidung zu einigen.
Befürworter verweisen auf den Mangel an bezahlbaren Wohnungen für junge Familien, die derzeit in die größeren Städte der Umgebung abwandern müssen. Gegner befürchten dagegen, dass wertvolle Wiesen verloren gehen und der Verkehr in den engen Straßen des Ortskerns stark zunimmt.
Der Bürgermeister kündigte an, im kommenden Monat eine Bürgerversammlung einzuberufen, bevor der Rat im Herbst endgültig abstimmt.""",

"""Unwetter mit Hagel richtet große Schäden an
Ein heftiges Unwetter mit Hagelkörnern so groß wie Tischtennisbälle ist am späten Nachmittag über mehrere Dörfer im Süden des Landkreises gezogen und hat zahlreiche Dächer und Autos beschädigt.
Die Feuerwehr rückte nach eigenen Angaben zu mehr als zweihundert Einsätzen aus, vor allem wegen umgestürzter Bäume und vollgelaufener Keller. Verletzt wurde nach bisherigen Erkenntnissen niemand.
Landwirte berichten von schweren Schäden an Getreide und Obst, nur wenige Wochen vor Beginn der Ernte. Der Bauernverband will nun prüfen, wie vielen Betrieben geholfen werden muss.""",

"""Handballerinnen feiern den Aufstieg in die erste Liga
Die Handballerinnen aus der kleinen Kreisstadt haben am Samstag mit einem deutlichen Heimsieg den Aufstieg in die erste Liga perfekt gemacht.
Vor ausverkaufter Halle lagen die Gastgeberinnen von Beginn an in Führung und bauten ihren Vorsprung nach der Pause weiter aus. Am Ende stand ein Sieg mit elf Toren Unterschied.
Die Trainerin sprach von einem historischen Tag für den Verein, der vor zehn Jahren noch in der Bezirksliga spielte. Nun beginnt die Suche nach Sponsoren, denn der Etat muss für die neue Saison deutlich steigen.""",

"""Forscher entwickeln Batterie aus Holzbestandteilen
Ein Forschungsteam einer technischen Hochschule hat einen Prototyp für eine Batterie vorgestellt, deren Elektroden zum großen Teil aus Bestandteilen von Holz bestehen.
Die Wissenschaftler nutzen dafür einen Stoff, der bei der Herstellung von Papier in großen Mengen als Abfall anfällt. Bisher wird er meist einfach verbrannt.
Noch kann die neue Batterie nicht mit herkömmlichen Modellen mithalten, doch die Forscher sind überzeugt, dass sich ihre Leistung in den nächsten Jahren deutlich verbessern lässt. Ein Unternehmen aus der Region hat bereits Interesse an einer Zusammenarbeit angemeldet.""",

"""Mittelständische Betriebe suchen dringend Auszubildende
Viele Handwerksbetriebe in der Region finden keine Auszubildenden mehr. Nach Angaben der Handwerkskammer sind derzeit mehr als vierhundert Lehrstellen unbesetzt, vor allem in Bäckereien, Metzgereien und im Bau.
Ein Dachdeckermeister erzählt, er habe in diesem Jahr trotz Anzeigen in Zeitungen und im Internet keine einzige Bewerbung erhalten. Früher habe er jedes Jahr unter mehreren Jugendlichen auswählen können.
Die Kammer will nun stärker an Schulen für handwerkliche Berufe werben und bietet Praktika in den Ferien an, damit Schülerinnen und Schüler die Arbeit selbst ausprobieren können.""",

"""Altes Kino wird zum Kulturzentrum umgebaut
Das seit Jahren leerstehende Kino in der Innenstadt soll in ein Kulturzentrum mit Theaterbühne, Proberäumen und einem kleinen Café umgebaut werden.
Ein Verein aus Bürgerinnen und Bürgern hatte das Gebäude vor dem Abriss bewahrt und über zwei Jahre hinweg Spenden gesammelt. Nun hat auch das Land eine Förderung zugesagt.
Die Bauarbeiten sollen im Frühjahr beginnen. Der alte Kinosaal mit seinen roten Sitzen bleibt erhalten und soll weiterhin für Filmabende genutzt werden, vor allem für Dokumentarfilme und Werke junger Filmemacher.""",

"""Bahn kündigt Sperrung der Strecke im Sommer an
Wegen umfangreicher Bauarbeiten wird die Bahnstrecke zwischen den beiden Kreisstädten in den Sommerferien für sechs Wochen vollständig gesperrt.
In dieser Zeit sollen Gleise, Weichen und mehrere Brücken erneuert werden. Fahrgäste müssen auf Busse umsteigen, die nach Angaben des Unternehmens etwa zwanzig Minuten länger unterwegs sein werden.
Pendlerverbände kritisieren den Zeitpunkt nicht, wohl aber die kurze Vorankündigung. Viele Berufstätige hätten ihren Urlaub bereits geplant und müssten sich nun kurzfristig andere Wege zur Arbeit suchen.""",

"""Trockenheit lässt den Pegel des Sees sinken
Der Wasserstand des großen Sees im Norden des Landes ist nach dem trockenen Frühjahr so niedrig wie seit Jahrzehnten nicht mehr. An manchen Stellen liegen alte Bootsstege inzwischen auf dem Trockenen.
Fischer berichten, dass sie mit ihren Booten kaum noch aus dem Hafen kommen. Auch die Ausflugsschiffe mussten ihren Fahrplan einschränken, weil einige Anlegestellen nicht mehr erreichbar sind.
Experten warnen, dass sich solche Jahre durch den Klimawandel häufen könnten. Die Behörden prüfen deshalb, wie viel Wasser Landwirte in den kommenden Monaten für ihre Felder entnehmen dürfen.""",

"""Junge Pianistin gewinnt internationalen Wettbewerb
Eine siebzehnjährige Pianistin aus der Stadt hat den ersten Preis bei einem renommierten internationalen Klavierwettbewerb gewonnen und sich gegen mehr als hundert Teilnehmer durchgesetzt.
Im Finale spielte sie ein Konzert, das als besonders schwierig gilt. Die Jury lobte vor allem ihre ruhige Art und den klaren Klang, mit dem sie auch die leisen Passagen gestaltete.
Die junge Musikerin besucht noch die Schule und übt nach eigenen Worten jeden Tag mehrere Stunden. Nach dem Abitur möchte sie an einer Musikhochschule studieren.""",

"""Stadtwerke senken die Preise für Fernwärme
Die Stadtwerke haben angekündigt, die Preise für Fernwärme zum Jahresbeginn deutlich zu senken. Ein durchschnittlicher Haushalt soll dadurch im Jahr rund zweihundert Euro sparen.
Grund für die Senkung seien die gefallenen Einkaufspreise für Gas, erklärte der Geschäftsführer. In den vergangenen zwei Jahren hatten die Kunden hohe Aufschläge zahlen müssen.
Verbraucherschützer begrüßen den Schritt, fordern aber mehr Transparenz bei der Berechnung der Preise. Viele Mieter könnten ihre Heizkosten kaum nachvollziehen, weil die Abrechnungen schwer verständlich seien.""",

"""Archäologen finden Reste einer römischen Villa
Bei Bauarbeiten für ein neues Wohngebiet sind Archäologen auf die Reste einer römischen Villa gestoßen. Die Mauern, ein Teil eines Mosaikbodens und eine Heizungsanlage sind erstaunlich gut erhalten.
Nach ersten Einschätzungen stammt das Gebäude aus dem zweiten Jahrhundert nach Christus. Es gehörte vermutlich zu einem großen Landgut, das Getreide und Wein für die nahe Garnisonsstadt lieferte.
Die Bauarbeiten ruhen vorerst. Die Stadt will gemeinsam mit dem Landesamt für Denkmalpflege klären, ob die Fundstelle erhalten und für Besucher zugänglich gemacht werden kann.""",

"""Landkreis plant neues Netz von Rufbussen
Der Landkreis will in den kommenden zwei Jahren ein Netz von Rufbussen aufbauen, die Fahrgäste auf Bestellung auch in kleinen Dörfern abholen, in denen bisher nur zweimal am Tag ein Bus hält.
Die Fahrten sollen über eine Telefonnummer oder eine App gebucht werden können und nicht mehr kosten als ein gewöhnlicher Busfahrschein. Ältere Menschen ohne Auto sollen damit leichter zum Arzt oder zum Einkaufen kommen.
In einem Pilotprojekt im Westen des Kreises wurden die Busse im vergangenen Jahr bereits getestet. Nach Angaben der Verwaltung waren die Fahrgäste zufrieden, auch wenn die Wartezeit zu Stoßzeiten manchmal länger als eine halbe Stunde betrug.
Die Kosten für das gesamte Netz werden auf mehrere Millionen Euro geschätzt. Der Kreistag muss im Dezember entscheiden, ob das Geld im Haushalt bereitgestellt wird.""",
]
