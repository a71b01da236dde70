"""The words, names and places the synthetic corpus is made of.

Plain data, no behaviour. Words are single tokens without punctuation, so a keyword search and a
test that splits ``text`` on whitespace agree on what a word is. Non-Latin scripts (Arabic and
Hebrew, written right to left, and Japanese) and emoji are here on purpose: they are what breaks
naive offset arithmetic and CSV writers.
"""

from __future__ import annotations

LANGS: tuple[str, ...] = ("en", "es", "de", "fr", "pt", "ar", "he", "ja", "tr", "hi")
LANG_WEIGHTS: tuple[float, ...] = (0.50, 0.10, 0.05, 0.05, 0.06, 0.07, 0.03, 0.08, 0.04, 0.02)
# Scripts without letter case: a sentence is not capitalised.
CASELESS = frozenset({"ar", "he", "ja", "hi"})


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_WORDS: dict[str, str] = {
    "en": """
        the data python climate election music coffee today tomorrow new open science research
        paper study results model models learning deep network graph chart analysis city rain
        weather summer winter game team win season football match world cup news breaking update
        thread read write code release version bug fix test tests users api library tool tools
        great good amazing terrible love hate think know really just still never always maybe
        people community public health policy vote votes campaign debate economy market prices
        energy solar wind power car train bike street park river mountain beach travel flight
        book books film movie series episode album song concert festival art museum photo video
        live stream podcast interview report survey students school university teacher class
        morning night weekend friday monday week month year history future time place home work
        job jobs team office remote meeting launch product design idea ideas question answer
        dog cat bird garden food dinner lunch pizza tea bread recipe kitchen friends family kids
        happy sad tired busy excited proud thanks please sorry hello welcome congrats birthday
    """,
    "es": """
        hoy mañana datos ciencia elecciones música café ciudad lluvia verano invierno partido
        equipo mundo noticias gracias amigos familia trabajo casa escuela universidad libro
        película serie canción concierto viaje playa montaña comida cena perro gato feliz triste
        nuevo nueva gran gente salud política voto economía mercado energía tiempo semana año
    """,
    "de": """
        heute morgen daten wissenschaft wahl musik kaffee stadt regen sommer winter spiel
        mannschaft welt nachrichten danke freunde familie arbeit haus schule universität buch
        film serie lied konzert reise strand berg essen hund katze glücklich neu große leute
        gesundheit politik wirtschaft energie zeit woche jahr bahn fahrrad
    """,
    "fr": """
        aujourdhui demain données science élection musique café ville pluie été hiver match
        équipe monde nouvelles merci amis famille travail maison école université livre film
        série chanson concert voyage plage montagne repas chien chat heureux nouveau gens santé
        politique économie énergie temps semaine année train vélo
    """,
    "pt": """
        hoje amanhã dados ciência eleição música café cidade chuva verão inverno jogo time mundo
        notícias obrigado amigos família trabalho casa escola universidade livro filme série
        canção show viagem praia montanha comida cachorro gato feliz novo gente saúde política
        economia energia tempo semana ano futebol
    """,
    "ar": """
        اليوم غدا بيانات علم انتخابات موسيقى قهوة مدينة مطر صيف شتاء مباراة فريق العالم أخبار
        شكرا أصدقاء عائلة عمل بيت مدرسة جامعة كتاب فيلم مسلسل أغنية حفلة سفر بحر جبل طعام
        سعيد جديد الناس صحة سياسة اقتصاد طاقة وقت أسبوع سنة كرة
    """,
    "he": """
        היום מחר נתונים מדע בחירות מוזיקה קפה עיר גשם קיץ חורף משחק קבוצה עולם חדשות תודה
        חברים משפחה עבודה בית כיתה אוניברסיטה ספר סרט סדרה שיר הופעה טיול ים הר אוכל כלב
        חתול שמח חדש אנשים בריאות פוליטיקה כלכלה אנרגיה זמן שבוע שנה
    """,
    "ja": """
        今日 明日 データ 科学 選挙 音楽 コーヒー 都市 雨 夏 冬 試合 チーム 世界 ニュース ありがとう
        友達 家族 仕事 家 学校 大学 本 映画 ドラマ 歌 ライブ 旅行 海 山 ごはん 犬 猫 嬉しい 新しい
        人 健康 政治 経済 エネルギー 時間 週末 今年 電車 桜
    """,
    "tr": """
        bugün yarın veri bilim seçim müzik kahve şehir yağmur yaz kış maç takım dünya haberler
        teşekkürler arkadaşlar aile iş ev okul üniversite kitap film dizi şarkı konser seyahat
        deniz dağ yemek köpek kedi mutlu yeni insanlar sağlık siyaset ekonomi enerji zaman hafta
        yıl futbol
    """,
    "hi": """
        आज कल डेटा विज्ञान चुनाव संगीत चाय शहर बारिश गर्मी सर्दी मैच टीम दुनिया खबर धन्यवाद दोस्त
        परिवार काम घर स्कूल विश्वविद्यालय किताब फिल्म गाना यात्रा समुद्र पहाड़ खाना कुत्ता बिल्ली खुश
        नया लोग स्वास्थ्य राजनीति अर्थव्यवस्था समय हफ्ता साल क्रिकेट
    """,
}
WORDS: dict[str, tuple[str, ...]] = {lang: _split(_WORDS[lang]) for lang in LANGS}

HASHTAGS: tuple[str, ...] = _split(
    """
    python rstats DataScience AI MachineLearning climate ClimateAction election2024 Elections
    OpenScience academicTwitter commtwitter news BreakingNews football WorldCup music NewMusic
    photography travel food coffee Monday FridayFeeling weekend health COVID19 vaccine energy
    solar EV bitcoin crypto NFT economy inflation jobs remote startup tech opensource javascript
    rust golang linux gaming esports movies Oscars Netflix books reading art design science
    space NASA astronomy nature birds dogs cats pets running fitness yoga summer winter rain
    Ukraine Gaza Brexit IchBinHanna MeToo BlackLivesMatter Pride education phdlife
    datavisualization dataviz statistics Berlin Madrid Paris Tokyo London NewYork Istanbul
    Mumbai São_Paulo مصر السعودية ישראל 日本 東京 zostańwdomu Türkiye भारत Fußball café
    """
)
# fmt: off
CASHTAGS: tuple[str, ...] = (
    "AAPL", "TSLA", "MSFT", "GOOG", "AMZN", "NVDA", "META", "BTC", "ETH", "SPY", "NFLX", "DIS",
    "IBM", "INTC", "AMD", "SAP", "SONY", "TM", "BABA", "UBER",
)
EMOJI: tuple[str, ...] = (
    "🔥", "😂", "❤️", "👍", "🎉", "🙏", "😍", "🤔", "🚀", "📊",
    "🌍", "☕", "⚽", "🎶", "📷", "🇺🇦",
    "\U0001f3f3\ufe0f\u200d\U0001f308",  # rainbow flag: a ZWJ sequence
    "\U0001f469\U0001f3fd\u200d\U0001f4bb",  # woman technologist, skin tone: ZWJ + modifier
    "\U0001f937\u200d\u2640\ufe0f",  # woman shrugging
    "✨",
)

FIRST_NAMES: tuple[str, ...] = _split(
    """
    Ada Alan Grace Linus Guido Hadley Jenny Julia Amira Omar Layla Yusuf Noa Yael Avi Tamar Hiro
    Yuki Sakura Kenji Maria José Lucía Carlos Ana João Beatriz Pierre Camille Chloé Lukas Anna
    Jonas Emma Mehmet Ayşe Elif Can Priya Arjun Ananya Rohan Chen Wei Li Mei Olga Ivan Fatima
    Hassan Zara Kwame Amara Nia Liam Olivia Noah Ava Mia Leo Sofia Diego Valentina
    """
)
LAST_NAMES: tuple[str, ...] = _split(
    """
    Lovelace Turing Hopper Torvalds Rossum Wickham Bryan Silge Haddad Nasser Cohen Levi Mizrahi
    Tanaka Suzuki Sato García López Martínez Silva Santos Dubois Martin Müller Schmidt Weber
    Yılmaz Kaya Demir Sharma Patel Gupta Wang Zhang Liu Ivanova Petrov Okafor Mensah Smith
    Johnson Brown Rossi Ferrari Novak Kowalski Nowak Jensen Hansen Berg
    """
)
# Display names in other scripts, so user tables carry RTL and CJK text too.
SCRIPT_NAMES: tuple[str, ...] = (
    "محمد العلي", "فاطمة الزهراء", "نور الهدى", "יעל כהן", "אבי לוי", "נועה מזרחי", "田中 裕子",
    "佐藤 健", "山本 さくら", "प्रिया शर्मा", "राहुल गुप्ता",
)
BIO_ROLES: tuple[str, ...] = (
    "PhD student", "Data scientist", "Journalist", "Professor of sociology", "Software engineer",
    "Photographer", "Climate researcher", "Teacher", "Football fan", "Open source maintainer",
    "Nurse", "Policy analyst", "Musician", "باحث في علم البيانات", "חוקרת במדעי המחשב",
    "データサイエンティスト", "Periodista", "Doktorandin", "Chercheuse",
)
LOCATIONS: tuple[str, ...] = (
    "Berlin, Germany", "Madrid", "Paris, France", "Tokyo", "London, UK", "New York, NY",
    "São Paulo, Brasil", "Istanbul", "Mumbai, India", "Cairo, Egypt", "Tel Aviv", "Toronto",
    "Evanston, IL", "Lagos", "Earth", "she/her", "",
)

# (domain, path stem, unwound domain or "" when the link is not a shortener)
LINK_DOMAINS: tuple[tuple[str, str, str], ...] = (
    ("github.com", "/twxdata/project/issues/", ""),
    ("www.nytimes.com", "/2024/05/01/world/article-", ""),
    ("bit.ly", "/3x", "www.theguardian.com"),
    ("arxiv.org", "/abs/2405.", ""),
    ("www.bbc.co.uk", "/news/world-", ""),
    ("youtu.be", "/v", "www.youtube.com"),
    ("buff.ly", "/2", "medium.com"),
    ("www.aljazeera.net", "/news/", ""),
    ("www.lemonde.fr", "/article/", ""),
    ("doi.org", "/10.1038/s41586-0", ""),
)
SOURCES: tuple[str, ...] = (
    "Twitter for iPhone", "Twitter for Android", "Twitter Web App", "TweetDeck", "Instagram",
    "IFTTT", "Buffer", "Hootsuite Inc.",
)
SOURCE_WEIGHTS: tuple[float, ...] = (0.35, 0.3, 0.22, 0.04, 0.03, 0.02, 0.02, 0.02)

# (domain id, domain name, domain description, entity id, entity name, entity description)
ANNOTATIONS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("65", "Interests and Hobbies Vertical",
     "Top level interests and hobbies groupings, like Food or Travel", "848920371311001600",
     "Technology", "Technology and computing"),
    ("66", "Interests and Hobbies Category",
     "A grouping of interests and hobbies entities, like Novelty Food or Destinations",
     "848921413196984320", "Computer programming", "Computer programming"),
    ("46", "Brand Category",
     "Categories within Brand Verticals that narrow down the scope of Brands",
     "781974596752842752", "Services", ""),
    ("47", "Brand", "Brands and Companies", "10045225402", "Twitter", ""),
    ("10", "Person", "Named people in the world like Nelson Mandela", "864571888621633536",
     "Tilda Swinton", "Tilda Swinton"),
    ("35", "Politician", "Politicians in the world, like Joe Biden", "857212166100754432",
     "Boris Johnson", "Prime Minister"),
    ("11", "Sport", "Types of sports, like soccer and basketball", "847888632711061504", "Soccer",
     "Soccer"),
    ("55", "Music Genre", "A category for a musical style, like Pop, Rock, or Rap",
     "810937888334487552", "Rap", "Hip-Hop/Rap"),
    ("123", "Ongoing News Story", "Ongoing News Stories like 'Brexit'", "1220701888179359745",
     "COVID-19", ""),
    ("131", "Unified Twitter Taxonomy", "A taxonomy of user interests. ", "1280544932484210688",
     "Climate change", "Climate change"),
    ("130", "Multimedia Franchise",
     "Franchises which span multiple forms of media like 'Harry Potter'", "933033311844286464",
     "Harry Potter", ""),
    ("45", "Brand Vertical", "Top level entities that describe a Brands industry",
     "781974596165640193", "Technology", ""),
)

# (place id, name, full name, country, country code, place type, bbox w s e n)
PLACES: tuple[tuple[str, str, str, str, str, str, tuple[float, float, float, float]], ...] = (
    ("3078869807f9dd36", "Berlin", "Berlin, Germany", "Deutschland", "DE", "city",
     (13.088304, 52.338079, 13.760909, 52.675323)),
    ("206d6d8a6fba6ea1", "Madrid", "Madrid, España", "España", "ES", "city",
     (-3.888954, 40.312064, -3.517916, 40.643518)),
    ("09f6a7707f18e0b1", "Paris", "Paris, France", "France", "FR", "city",
     (2.224101, 48.815521, 2.469851, 48.902146)),
    ("1c69a67ad480e1b1", "Tokyo", "Tokyo-to, Japan", "日本", "JP", "admin",
     (138.942922, 32.440263, 153.986345, 35.898424)),
    ("457b4814b4240d87", "London", "London, England", "United Kingdom", "GB", "city",
     (-0.187894, 51.483718, -0.109978, 51.5164655)),
    ("01a9a39529b27f36", "Manhattan", "Manhattan, NY", "United States", "US", "city",
     (-74.026675, 40.683935, -73.910408, 40.877483)),
    ("68e019afec7d0ba5", "São Paulo", "São Paulo, Brasil", "Brasil", "BR", "city",
     (-46.826039, -24.008814, -46.365052, -23.356792)),
    ("5e02a0f0d91c76d2", "İstanbul", "İstanbul, Türkiye", "Türkiye", "TR", "admin",
     (28.138056, 40.802389, 29.941741, 41.58551)),
    ("fa84e2cd2feb6a4a", "Mumbai", "Mumbai, India", "India", "IN", "city",
     (72.776333, 18.893106, 72.979488, 19.270177)),
    ("1c6a6c3c3a6d7ee0", "القاهرة", "القاهرة, مصر", "مصر", "EG", "city",
     (31.101189, 29.918465, 31.484419, 30.147502)),
    ("3abf4c5a7b3b3d5f", "תל אביב-יפו", "תל אביב-יפו, ישראל", "ישראל", "IL", "city",
     (34.739, 32.029, 34.852, 32.147)),
    ("07d9db48bc083000", "Central Park", "Central Park", "United States", "US", "poi",
     (-73.958, 40.764, -73.949, 40.801)),
    ("96683cc9126741d1", "United States", "United States", "United States", "US", "country",
     (-179.231086, 13.182335, 179.859685, 71.434357)),
)

LIST_TOPICS: tuple[str, ...] = (
    "Data people", "Climate scientists", "News", "Football", "Python devs", "Journalists",
    "Friends", "Research group", "Musicians", "Photographers", "Policy", "Open science",
    "Official accounts", "مهتمون بالبيانات", "חדשות", "日本のニュース",
)
SPACE_TITLES: tuple[str, ...] = (
    "Open science office hours", "Data viz critique", "Election night live", "Football talk",
    "Python Q&A", "Climate policy roundtable", "Music Monday", "مساحة نقاش البيانات",
    "שיחה על מדע פתוח", "データ勉強会",
)
COUNTRY_CODES: tuple[str, ...] = ("DE", "FR", "TR", "IN", "RU", "AT", "BR", "IL", "GB", "JP")
# fmt: on
