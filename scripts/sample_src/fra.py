"""French articles (fra_Latn)."""

ARTICLES = [
"""Le conseil municipal adopte un budget sous tension
Le conseil municipal a adopté jeudi soir un budget marqué par la hausse des dépenses d'énergie, après plus de quatre heures de débats souvent vifs entre la majorité et l'opposition.
La maire a défendu un effort particulier pour les écoles et les crèches, tout en reconnaissant que la rénovation de la piscine municipale devra attendre au moins une année de plus.
L'opposition a dénoncé une hausse des tarifs de stationnement qu'elle juge injuste pour les habitants des quartiers périphériques, qui n'ont souvent pas d'autre choix que de prendre leur voiture.""",

"""Canicule précoce dans le sud du pays
Les services de météorologie ont placé une dizaine de départements en vigilance orange en raison d'une vague de chaleur inhabituelle pour la saison, avec des températures qui pourraient dépasser trente-huit degrés.
Les autorités recommandent aux personnes âgées de rester au frais pendant les heures les plus chaudes et de boire régulièrement, même sans ressentir la soif.
Plusieurs communes ont décidé d'ouvrir des salles climatisées au public et de prolonger les horaires des piscines, tandis que les agriculteurs s'inquiètent déjà pour les réserves d'eau destinées à l'irrigation.""",

"""Le club de rugby local crée la surprise en coupe
Personne ne les attendait à ce niveau de la compétition. Les joueurs du petit club de la vallée se sont pourtant qualifiés dimanche pour les quarts de finale de la coupe, en battant une équipe de division supérieure.
Menés de dix points à la pause, ils ont renversé la rencontre grâce à deux essais marqués dans le dernier quart d'heure, sous les encouragements d'un public venu en nombre.
L'entraîneur, qui exerce aussi le métier de professeur de sport au collège, a salué l'esprit de groupe de ses joueurs, dont la plupart s'entraînent le soir après leur journée de travail.""",

"""Des chercheurs observent une nouvelle espèce de grenouille
Une équipe de biologistes a décrit une nouvelle espèce de grenouille découverte dans une forêt humide de montagne, à plus de mille huit cents mètres d'altitude.
L'animal, qui mesure à peine deux centimètres, se distingue par un chant très aigu que les chercheurs ont d'abord confondu avec celui d'un insecte, avant de repérer la grenouille cachée sous des feuilles mortes.
Les scientifiques estiment que l'espèce vit sur une zone très réduite et pourrait être menacée par le défrichement des forêts voisines, et ils demandent que ce secteur soit rapidement protégé.""",

"""Les petits commerces face à la hausse des loyers
Dans le centre historique, plusieurs commerçants indépendants annoncent la fermeture de leur boutique à la fin de l'année, faute de pouvoir payer des loyers qui ont fortement augmenté depuis deux ans.
Une libraire installée depuis quinze ans dans la même rue explique que son propriétaire lui demande désormais presque le double, alors que son chiffre d'affaires n'a pas progressé.
La municipalité étudie la possibilité de racheter certains locaux pour les louer à prix modéré à des artisans et à des commerces de proximité, une solution déjà testée dans d'autres villes.""",

"""Un festival de musique baroque fête ses trente ans
Le festival de musique baroque de la petite ville fortifiée célèbre cette année sa trentième édition, avec une programmation qui mêle grands ensembles internationaux et jeunes musiciens de la région.
Né de l'initiative d'un organiste passionné et de quelques bénévoles, l'événement attire aujourd'hui plusieurs milliers de spectateurs chaque été dans les églises et les cours des anciens hôtels particuliers.
Les organisateurs ont prévu des concerts gratuits sur la place du marché afin d'attirer un public qui n'a pas l'habitude de fréquenter les salles de concert.""",

"""Grève des contrôleurs aériens : des centaines de vols annulés
Une grève des contrôleurs aériens a provoqué jeudi l'annulation de plusieurs centaines de vols dans les principaux aéroports du pays, à la veille d'un long week-end de printemps.
Les syndicats réclament des recrutements supplémentaires et dénoncent des conditions de travail qui se sont dégradées avec la reprise du trafic après plusieurs années difficiles.
Les compagnies aériennes ont invité les voyageurs à vérifier l'état de leur vol avant de se rendre à l'aéroport, et certaines proposent un remboursement ou un changement de date sans frais.""",

"""Inondations : les habitants de la vallée nettoient leurs maisons
Au lendemain des fortes pluies qui ont fait déborder la rivière, les habitants de la vallée ont commencé à vider leurs maisons de la boue et des meubles abîmés, aidés par des voisins et des pompiers.
Dans certaines rues, l'eau est montée jusqu'à plus d'un mètre au rez-de-chaussée, obligeant une centaine de familles à passer la nuit chez des proches ou dans le gymnase municipal.
Le préfet a annoncé qu'une demande de reconnaissance de l'état de catastrophe naturelle serait déposée rapidement, afin que les assurances puissent indemniser les sinistrés.""",

"""Le prix du pain continue de grimper dans les boulangeries
Le prix moyen de la baguette a encore augmenté de quelques centimes ces derniers mois, selon une enquête menée auprès de plusieurs centaines de boulangeries dans tout le pays.
Les artisans expliquent cette hausse par le coût de l'électricité, indispensable au fonctionnement des fours, ainsi que par l'augmentation du prix de la farine et du beurre.
Certains boulangers ont choisi de réduire la taille de leurs viennoiseries plutôt que d'augmenter encore leurs prix, de peur de perdre une clientèle déjà attentive à chaque dépense.""",

"""Une exposition consacrée aux photographes de rue
Le musée des beaux-arts présente jusqu'à la fin de l'automne une grande exposition consacrée à la photographie de rue, avec plus de deux cents tirages réalisés sur près d'un siècle.
Les visiteurs peuvent y découvrir des images de marchés, de cafés et de gares, prises par des photographes célèbres mais aussi par des amateurs dont les archives ont été retrouvées récemment.
La dernière salle invite le public à partager ses propres photographies de la ville, qui seront projetées sur un grand mur à la fin de chaque journée.""",

"""Les élèves d'un lycée agricole lancent une ferme solaire
Des élèves d'un lycée agricole ont participé à l'installation de panneaux solaires au-dessus d'un pré où paissent des moutons, un projet qui doit fournir une partie de l'électricité de l'établissement.
Les panneaux, posés à plus de deux mètres du sol, laissent passer suffisamment de lumière pour que l'herbe continue de pousser, tout en offrant de l'ombre aux animaux pendant les journées chaudes.
Les enseignants comptent utiliser le site pour étudier l'effet des panneaux sur la végétation et sur le bien-être du troupeau, en lien avec une université voisine.""",

"""Le tramway prolongé jusqu'aux nouveaux quartiers de l'est
La ligne de tramway sera prolongée de six kilomètres vers les nouveaux quartiers de l'est de l'agglomération, a annoncé mardi le président de la métropole lors d'une réunion publique très suivie.
Les travaux doivent commencer au printemps prochain et durer environ trois ans. Huit nouvelles stations seront construites, dont une près de l'hôpital et une autre à côté du futur campus universitaire.
Les habitants des quartiers concernés réclamaient depuis longtemps une meilleure desserte, car les bus actuels sont souvent bondés aux heures de pointe et restent bloqués dans les embouteillages. Une consultation en ligne permet aux habitants de donner leur avis sur l'emplacement exact des stations jusqu'à la fin du mois.
Les commerçants installés le long du tracé craignent en revanche une baisse de leur activité pendant le chantier, et la métropole promet un fonds d'indemnisation pour ceux qui perdront une part importante de leur chiffre d'affaires.""",
]
