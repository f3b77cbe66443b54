"""Turkish articles (tur_Latn)."""

ARTICLES = [
"""Belediye meclisi yeni otopark projesini onayladı
Belediye meclisi, şehir merkezindeki trafik sorununu azaltmak amacıyla hazırlanan çok katlı otopark projesini salı günkü toplantısında oy çokluğuyla kabul etti.
Proje kapsamında eski pazar yerinin altına beş yüz araç kapasiteli bir otopark yapılacak, üst kısım ise yeşil alan ve çocuk parkı olarak düzenlenecek.
Muhalefet üyeleri, projenin maliyetinin çok yüksek olduğunu ve bu paranın toplu taşımaya harcanması gerektiğini savundu. İnşaatın gelecek yıl başlaması bekleniyor.""",

"""Karadeniz'de şiddetli yağış sele neden oldu
Karadeniz kıyısındaki birçok ilçede gece boyunca etkili olan şiddetli yağış, dere yataklarının taşmasına ve bazı köy yollarının kapanmasına neden oldu.
Ekipler, evlerinde mahsur kalan vatandaşları botlarla kurtardı. Bazı bölgelerde elektrik ve su kesintileri yaşanırken, okullarda eğitime bir gün ara verildi.
Meteoroloji yetkilileri, yağışların hafta sonuna kadar aralıklarla süreceğini bildirerek vatandaşları dere yataklarından uzak durmaları konusunda uyardı.""",

"""Genç voleybolcular Avrupa şampiyonu oldu
Genç kadın voleybol milli takımı, finalde güçlü rakibini beş setlik nefes kesen bir maçın ardından yenerek Avrupa şampiyonu oldu.
Maçın son setinde geriye düşen genç oyuncular, seyircilerin büyük desteğiyle toparlanarak üst üste altı sayı aldı ve kupayı kazandı.
Takımın başantrenörü, oyuncularının son iki yılda çok çalıştığını belirterek bu başarının ülkedeki genç sporcular için bir örnek olacağını söyledi.""",

"""Bilim insanları antik kentte yeni bir tapınak buldu
Arkeologlar, güneydeki antik kentte sürdürdükleri kazılarda daha önce bilinmeyen bir tapınağın temellerini ortaya çıkardı.
Kazı başkanı, tapınağın yaklaşık iki bin yıl önce inşa edildiğini ve kentin en önemli tanrıçasına adandığını düşündüklerini açıkladı. Alanda çok sayıda sikke, seramik parçası ve küçük heykel bulundu.
Bulguların kentin tarihine yeni bir ışık tutacağını belirten uzmanlar, kazıların önümüzdeki yıllarda da devam edeceğini ve alanın ziyaretçilere açılmasının planlandığını söyledi.""",

"""Fındık fiyatları üreticiyi memnun etmedi
Bu yıl açıklanan fındık fiyatları, maliyetlerin arttığını söyleyen üreticileri memnun etmedi. Pek çok çiftçi, gübre ve işçilik giderlerinin geçen yıla göre neredeyse iki katına çıktığını belirtiyor.
Bir üretici, bahçesinde çalışan işçilere ödediği ücretin bile fındıktan elde ettiği geliri aştığını anlatarak gelecek yıl üretimi azaltmayı düşündüğünü söyledi.
Üretici birlikleri, hükümetten fiyatların yeniden değerlendirilmesini ve girdi maliyetlerine destek verilmesini talep etti.""",

"""Tarihi hamam restore edilerek yeniden açıldı
Şehrin en eski yapılarından biri olan beş yüz yıllık tarihi hamam, üç yıl süren restorasyon çalışmalarının ardından yeniden hizmete açıldı.
Restorasyon sırasında kubbelerdeki çatlaklar onarıldı, duvarlardaki eski çiniler temizlendi ve yapının özgün ısıtma sistemi gün yüzüne çıkarıldı.
Hamamın bir bölümü müze olarak düzenlendi. Ziyaretçiler burada yapının tarihini ve geçmişte mahalle yaşamındaki önemini anlatan fotoğraf ve belgeleri görebilecek.""",

"""Kış öncesi doğalgaz fiyatlarına zam geldi
Doğalgaz dağıtım şirketi, konutlarda kullanılan doğalgaza bu aydan itibaren geçerli olmak üzere zam yapıldığını duyurdu. Artışın kış aylarında aile bütçelerini zorlaması bekleniyor.
Tüketici dernekleri, özellikle dar gelirli ailelerin ısınma giderlerini karşılamakta zorlanacağını belirterek, yardım programlarının genişletilmesi çağrısında bulundu.
Enerji uzmanları ise evlerde yalıtımın iyileştirilmesinin faturaları önemli ölçüde düşürebileceğini hatırlatarak, bu konuda sunulan kredi imkânlarının artırılmasını önerdi.""",

"""Üniversite öğrencileri için yeni yurt inşa edilecek
Üniversite yönetimi, kampüs içinde iki bin öğrenci kapasiteli yeni bir yurt inşa edileceğini açıkladı. Proje, kira fiyatlarının hızla yükseldiği şehirde öğrencilerin barınma sorununa çözüm bulmayı amaçlıyor.
Rektör, inşaatın iki yıl içinde tamamlanmasını hedeflediklerini ve yurdun bir bölümünün burslu öğrencilere ayrılacağını söyledi.
Öğrenci toplulukları projeyi memnuniyetle karşılarken, yurt ücretlerinin de makul seviyede tutulması gerektiğini vurguladı.""",

"""Köy okulunun öğrencileri bilim yarışmasında birinci oldu
Dağ köyündeki küçük bir ortaokulun öğrencileri, suyun daha verimli kullanılmasına yönelik hazırladıkları projeyle ulusal bilim yarışmasında birincilik ödülü kazandı.
Öğrenciler, köylerindeki tarlalarda toprağın nemini ölçen basit bir cihaz geliştirdi. Cihaz, toprak yeterince kuruduğunda çiftçilere telefon üzerinden mesaj gönderiyor.
Okulun fen bilgisi öğretmeni, öğrencilerin projeye aylarca hafta sonları da dahil olmak üzere büyük bir özveriyle çalıştığını ve ödülü tüm köyle paylaştıklarını söyledi.""",

"""Sahil kasabasında turizm sezonu erken başladı
Havaların beklenenden erken ısınmasıyla birlikte sahil kasabasında turizm sezonu da erken başladı. Otellerin doluluk oranı mayıs ayında yüzde seksene ulaştı.
Esnaf, yabancı turistlerin yanı sıra yerli tatilcilerin de ilgisinin arttığını belirterek bu yılın geçen yıldan çok daha iyi geçeceğini umduklarını dile getirdi.
Belediye ise artan ziyaretçi sayısı nedeniyle plajlarda temizlik çalışmalarını sıklaştırdı ve kasaba merkezine yeni otopark alanları açtı.""",

"""Şehir tiyatrosu yeni sezonu yerli oyunlarla açıyor
Şehir tiyatroları, yeni sezonu tamamı yerli yazarlara ait altı oyunla açmaya hazırlanıyor. Oyunlar arasında genç bir yazarın ilk eseri de bulunuyor.
Genel sanat yönetmeni, son yıllarda izleyicilerin kendi hayatlarından izler taşıyan hikâyelere daha fazla ilgi gösterdiğini ve bu nedenle yerli oyunlara ağırlık verdiklerini söyledi.
Tiyatro ayrıca öğrencilere yönelik indirimli bilet uygulamasını sürdürecek ve hafta sonları çocuklar için ücretsiz gösteriler düzenleyecek.""",

"""Eski demiryolu hattı bisiklet yoluna dönüştürülüyor
Yıllardır kullanılmayan eski demiryolu hattı, iki ilçeyi birbirine bağlayan otuz kilometrelik bir bisiklet ve yürüyüş yoluna dönüştürülüyor.
Projeye göre rayların kaldırıldığı güzergâh boyunca dinlenme alanları, çeşmeler ve küçük kafeler yapılacak. Eski istasyon binaları ise restore edilerek ziyaretçi merkezine çevrilecek.
Yerel yönetimler, yolun hem sağlıklı yaşamı teşvik edeceğini hem de köylere yeni bir gelir kaynağı sağlayacağını düşünüyor. Çalışmaların gelecek yaz tamamlanması planlanıyor.""",
]
