"""Words for bench/pages.py: requesters' names and the text of their mail, the desk's replies and
notes, in Japanese and English.

Each ticket is about one topic; its mail is a greeting, the person, some circumstances (shops,
dates, products, order and member numbers, so the index holds a large vocabulary), a few sentences
of the topic, maybe a general remark, and a closing. A search word belongs to a few topics only:
開示 and "disclosure" to the disclosure request and the questions about its procedure, fee and
documents, so each finds a few percent of the tickets; 個人情報 and "personal data" are spread over
many topics (a privacy desk hears them all day).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# --- people ----------------------------------------------------------------------------------

JA_SURNAMES = (
    ("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka"), ("伊藤", "ito"),
    ("渡辺", "watanabe"), ("山本", "yamamoto"), ("中村", "nakamura"), ("小林", "kobayashi"), ("加藤", "kato"),
    ("吉田", "yoshida"), ("山田", "yamada"), ("佐々木", "sasaki"), ("山口", "yamaguchi"), ("松本", "matsumoto"),
    ("井上", "inoue"), ("木村", "kimura"), ("林", "hayashi"), ("斎藤", "saito"), ("清水", "shimizu"),
    ("山崎", "yamazaki"), ("森", "mori"), ("池田", "ikeda"), ("橋本", "hashimoto"), ("阿部", "abe"),
    ("石川", "ishikawa"), ("山下", "yamashita"), ("中島", "nakajima"), ("石井", "ishii"), ("小川", "ogawa"),
    ("前田", "maeda"), ("岡田", "okada"), ("長谷川", "hasegawa"), ("藤田", "fujita"), ("後藤", "goto"),
    ("近藤", "kondo"), ("村上", "murakami"), ("遠藤", "endo"), ("青木", "aoki"), ("坂本", "sakamoto"),
)  # fmt: skip
JA_GIVEN = (
    ("翔太", "shota"), ("大輔", "daisuke"), ("健一", "kenichi"), ("拓也", "takuya"), ("直樹", "naoki"),
    ("誠", "makoto"), ("亮", "ryo"), ("隆", "takashi"), ("浩二", "koji"), ("和也", "kazuya"),
    ("美咲", "misaki"), ("陽子", "yoko"), ("恵子", "keiko"), ("由美", "yumi"), ("彩", "aya"),
    ("真由美", "mayumi"), ("智子", "tomoko"), ("裕子", "yuko"), ("愛", "ai"), ("さくら", "sakura"),
    ("優子", "yuko"), ("千尋", "chihiro"), ("奈々", "nana"), ("理恵", "rie"), ("香織", "kaori"),
    ("一郎", "ichiro"), ("正人", "masato"), ("悠斗", "yuto"), ("蓮", "ren"), ("結衣", "yui"),
)  # fmt: skip
EN_FIRST = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
    "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Daniel", "Karen",
    "Emma", "Oliver", "Sophie", "Lucas", "Chloe", "Noah", "Mia", "Liam", "Hannah", "Ethan",
    "Wei", "Min-jun", "Priya", "Arjun", "Ana", "Mateo", "Yuki", "Kenji", "Aiko", "Hiroshi",
)  # fmt: skip
EN_LAST = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Wilson", "Anderson",
    "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis",
    "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson",
    "Chen", "Kim", "Patel", "Singh", "Silva", "Rossi", "Müller", "Dubois", "Tanaka", "Nakamura",
)  # fmt: skip
MAIL_DOMAINS = (
    "example.jp", "example.com", "example.net", "example.org", "mail.example.jp", "post.example.com",
    "mobile.example.ne.jp", "corp.example.co.jp",
)  # fmt: skip
JA_PREFECTURES = (
    ("東京都", "世田谷区"), ("東京都", "練馬区"), ("神奈川県", "横浜市港北区"), ("大阪府", "大阪市北区"),
    ("愛知県", "名古屋市中区"), ("北海道", "札幌市中央区"), ("福岡県", "福岡市博多区"), ("兵庫県", "神戸市東灘区"),
    ("京都府", "京都市左京区"), ("埼玉県", "さいたま市浦和区"), ("千葉県", "船橋市"), ("宮城県", "仙台市青葉区"),
    ("広島県", "広島市中区"), ("静岡県", "浜松市中央区"), ("沖縄県", "那覇市"),
)  # fmt: skip
EN_STREETS = ("Oak Street", "Maple Avenue", "High Street", "Station Road", "Park Lane", "Mill Road", "Church Street")


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    email: str | None
    phone: str | None
    postal_address: str | None
    language: str


def person(rng: random.Random, language: str, number: int, with_email: bool) -> Person:
    """A requester; `number` makes the address unique."""
    if language == "ja":
        (sur, sur_r), (given, given_r) = rng.choice(JA_SURNAMES), rng.choice(JA_GIVEN)
        name = f"{sur} {given}" if rng.random() < 0.6 else f"{sur}{given}"
        local = f"{given_r}.{sur_r}" if rng.random() < 0.5 else f"{sur_r}{given_r[0]}"
        pref, city = rng.choice(JA_PREFECTURES)
        postal = (
            f"〒{rng.randint(100, 999)}-{rng.randint(0, 9999):04d} {pref}{city}"
            f"{rng.randint(1, 9)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}"
        )
    else:
        first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
        name = f"{first} {last}"
        local = f"{first}.{last}".lower().replace("ü", "ue")
        street = f"{rng.randint(1, 300)} {rng.choice(EN_STREETS)}"
        postal = f"{street}, Minato-ku, Tokyo {rng.randint(100, 199)}-{rng.randint(0, 9999):04d}"
    email = f"{local}{number}@{rng.choice(MAIL_DOMAINS)}" if with_email else None
    phone = (
        f"0{rng.choice('789')}0-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
        if rng.random() < 0.45 or not with_email
        else None
    )
    return Person(name, email, phone, postal if not with_email or rng.random() < 0.1 else None, language)


# --- circumstances: the varied part of every message -----------------------------------------

JA_SERVICES = (
    "オンラインショップ", "ポイントカード", "会員サイト", "スマートフォンアプリ", "メールマガジン", "通販カタログ",
    "定期購入サービス", "店舗アンケート", "ファンクラブ", "クレジット機能付きカード", "予約システム", "体験レッスン",
    "資料請求フォーム", "懸賞キャンペーン", "修理受付窓口", "オンライン相談", "求人サイト", "セミナー申込",
)  # fmt: skip
JA_ITEMS = (
    "電子レンジ", "掃除機", "化粧品セット", "健康食品", "子供服", "ランニングシューズ", "腕時計", "ノートパソコン",
    "コーヒーメーカー", "布団乾燥機", "旅行かばん", "自転車", "プリンター用インク", "ベビーカー", "電動歯ブラシ",
    "空気清浄機", "加湿器", "炊飯器", "ゲーム機", "タブレット端末", "学習教材", "ペット用品", "園芸用品", "釣り具",
)  # fmt: skip
JA_CITIES = (
    "札幌", "仙台", "新潟", "金沢", "宇都宮", "横浜", "川崎", "静岡", "名古屋", "京都", "大阪", "堺", "神戸",
    "岡山", "広島", "高松", "松山", "福岡", "熊本", "鹿児島", "那覇", "渋谷", "池袋", "梅田", "天神",
)  # fmt: skip
JA_CONTEXT = (
    "{y}年{m}月ごろ、{city}の店舗で{service}に登録しました。",
    "{m}月{d}日に{service}から{item}を購入しました（注文番号 {order}）。",
    "会員番号は{member}です。",
    "{y}年に{service}を利用していましたが、現在は使っていません。",
    "先月、{city}駅前の店舗で{item}の修理を依頼しました。",
    "家族名義で{service}に登録したことがあります。",
    "{m}月{d}日の{h}時ごろ、御社の{service}から連絡がありました。",
    "{item}の購入時に会員登録を勧められ、申込書に記入しました。",
    "引っ越し前の住所は{pref}{ward}です。",
    "{service}の登録に使ったメールアドレスはこのアドレスとは別のものです。",
    "受付番号{order}の件でご連絡しています。",
    "{y}年{m}月まで{city}営業所の近くに住んでいました。",
)  # fmt: skip
JA_GREETING = (
    "お世話になっております。", "はじめてご連絡いたします。", "突然のご連絡失礼いたします。",
    "いつもお世話になっております。",
    "お問い合わせ窓口ご担当者様", "ご担当者様", "失礼いたします。",
)  # fmt: skip
JA_SELF = ("{name}と申します。", "{name}です。", "{name}と申しますが、", "私は{name}と申します。")
JA_GENERAL = (
    "お忙しいところ恐縮ですが、よろしくお願いいたします。",
    "家族にも同じような連絡が来ており、不安に感じています。",
    "以前にも一度電話で問い合わせましたが、折り返しの連絡がありませんでした。",
    "回答は郵送ではなくメールでいただけると助かります。",
    "平日の日中は仕事のため電話に出られません。",
    "どの部署に問い合わせればよいのか分からず、こちらに連絡しました。",
    "ホームページの案内を読みましたが、よく分かりませんでした。",
    "できるだけ早く対応していただけますと幸いです。",
    "念のため、書面でも同じ内容をお送りする予定です。",
    "必要な手続きがあれば教えてください。",
    "高齢の母の代わりに問い合わせています。",
    "状況が分かり次第、ご連絡をお願いします。",
)  # fmt: skip
JA_CLOSING = (
    "よろしくお願いいたします。",
    "以上、よろしくお願い申し上げます。",
    "ご回答をお待ちしております。",
    "何卒よろしくお願いいたします。",
)

EN_SERVICES = (
    "online shop", "loyalty card", "members' website", "mobile app", "newsletter", "mail-order catalogue",
    "subscription service", "in-store survey", "fan club", "credit card", "booking system", "trial lesson",
    "brochure request form", "prize draw", "repair service", "online consultation", "job site", "seminar sign-up",
)  # fmt: skip
EN_ITEMS = (
    "microwave", "vacuum cleaner", "cosmetics set", "supplements", "children's clothes", "running shoes", "wristwatch",
    "laptop", "coffee maker", "suitcase", "bicycle", "printer ink", "pushchair", "electric toothbrush", "air purifier",
    "humidifier", "rice cooker", "games console", "tablet", "study materials", "pet supplies", "garden tools",
)  # fmt: skip
EN_CITIES = (
    "Shibuya", "Shinjuku", "Yokohama", "Osaka", "Kyoto", "Kobe", "Nagoya", "Sapporo", "Fukuoka", "Sendai",
    "Hiroshima", "Naha", "Kawasaki", "Chiba", "Saitama",
)  # fmt: skip
EN_CONTEXT = (
    "Around {mon} {y} I signed up for your {service} at the {city} store.",
    "On {mon} {d} I bought a {item} through your {service} (order number {order}).",
    "My membership number is {member}.",
    "I used your {service} in {y} but I no longer use it.",
    "Last month I had a {item} repaired at your {city} branch.",
    "I once registered for the {service} under my spouse's name.",
    "On {mon} {d}, at about {h} o'clock, someone from your {service} contacted me.",
    "When I bought a {item} I was asked to fill in a membership form.",
    "I lived near your {city} office until {mon} {y}.",
    "The e-mail address I used for the {service} is not this one.",
    "I am writing about case number {order}.",
    "I moved from {city} to Tokyo last year.",
)  # fmt: skip
EN_GREETING = (
    "Hello,",
    "Dear Sir or Madam,",
    "Dear privacy team,",
    "Hi,",
    "Good afternoon,",
    "To whom it may concern,",
)
EN_SELF = ("My name is {name}.", "I am {name}.", "This is {name} writing.", "I'm {name}, a customer of yours.")
EN_GENERAL = (
    "I would appreciate a reply at your earliest convenience.",
    "My family members have received similar messages, which worries me.",
    "I called once before but nobody called me back.",
    "Please reply by e-mail rather than by post.",
    "I work during the day and cannot take calls on weekdays.",
    "I was not sure which department to contact, so I am writing to you.",
    "I read the information on your website but it did not answer my question.",
    "I am writing on behalf of my elderly father.",
    "I will also send this letter by post, just in case.",
    "Please tell me if there is a form I need to fill in.",
    "Let me know if you need anything else from me.",
    "I look forward to hearing from you soon.",
)  # fmt: skip
EN_CLOSING = ("Kind regards,", "Best regards,", "Thank you,", "Sincerely,", "Many thanks,", "Regards,")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December",
)  # fmt: skip


# --- topics ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Topic:
    key: str
    ja_subjects: tuple[str, ...]
    ja_body: tuple[str, ...]
    ja_reply: tuple[str, ...]
    en_subjects: tuple[str, ...]
    en_body: tuple[str, ...]
    en_reply: tuple[str, ...]


TOPICS: dict[str, Topic] = {}


def _topic(key: str, ja: tuple[tuple[str, ...], ...], en: tuple[tuple[str, ...], ...]) -> None:
    TOPICS[key] = Topic(key, ja[0], ja[1], ja[2], en[0], en[1], en[2])


_topic(
    "disclosure",
    (
        ("保有個人データの開示請求", "開示請求について", "私の情報の開示をお願いします", "開示等の請求の手続き"),
        (
            "御社が保有している私の個人情報の開示を請求します。",
            "登録されている氏名、住所、購入履歴などの開示をお願いしたいです。",
            "開示請求の方法と必要な書類を教えてください。",
            "第三者に提供された記録があれば、その開示もお願いします。",
            "開示の方法は書面の郵送を希望します。",
            "どのような情報が保存されているのか、すべて開示していただけますか。",
            "電話の録音が残っているのであれば、それも開示の対象に含めてください。",
        ),
        (
            "開示のご請求について、手続きをご案内いたします。",
            "開示等請求書に必要事項をご記入のうえ、本人確認書類の写しを同封して郵送でお送りください。",
            "開示の手数料は定額小為替または郵便切手でお支払いいただいております。",
            "請求書の到着後、内容を確認し、書面にて開示いたします。",
        ),
    ),
    (
        (
            "Request for disclosure of my personal data",
            "Disclosure request",
            "Subject access request",
            "Copy of my data",
        ),
        (
            "I would like to request disclosure of all personal data you hold about me.",
            "Please send me a copy of my records, including my purchase history and any notes about me.",
            "Could you tell me how to make a disclosure request and which documents you need?",
            "If my data was provided to any third party, please include those records in the disclosure.",
            "I would prefer to receive the disclosure by post.",
            "Please also disclose any recordings of my phone calls with your staff.",
        ),
        (
            "Thank you for your disclosure request; here is how the procedure works.",
            "Please fill in the request form and send it by post with a copy of one official identity document.",
            "The fee for disclosure is 1,000 yen in postage stamps, enclosed with the form.",
            "Once we have received your request we will check it and send the disclosure to you in writing.",
        ),
    ),
)
_topic(
    "disclosure_howto",
    (
        ("開示等の手続きについての質問", "請求書の入手方法", "手数料について"),
        (
            "開示等の請求をしたいのですが、請求書はどこで入手できますか。",
            "手数料の支払い方法について確認させてください。",
            "代理人が開示の請求をする場合、どのような書類が必要でしょうか。",
            "本人確認書類は運転免許証のコピーでよいでしょうか。",
        ),
        (
            "所定の請求書は当窓口にご請求いただければ郵送いたします。",
            "代理人による請求の場合は委任状と印鑑登録証明書が必要です。",
            "本人確認書類は有効期限内のものをお送りください。",
        ),
    ),
    (
        ("Question about the request procedure", "How do I get the request form?", "Fee for a disclosure request"),
        (
            "Where can I get the form for a disclosure request?",
            "How should I pay the fee, and how much is it?",
            "If my lawyer makes the request for me, which documents are needed?",
            "Is a copy of my driving licence enough as proof of identity?",
        ),
        (
            "We will post the request form to you if you send us your postal address.",
            "A request by an appointed agent needs a power of attorney and a seal certificate.",
            "Identity documents must be valid on the day they reach us.",
        ),
    ),
)
_topic(
    "deletion",
    (
        ("個人情報の削除依頼", "退会と情報の削除について", "登録情報を消してください", "データ削除のお願い"),
        (
            "退会したので、登録されている個人情報をすべて削除してください。",
            "今後一切の利用を停止し、データを消去していただきたいです。",
            "削除が完了したら、その旨をメールで知らせてください。",
            "バックアップに残っている情報がいつ消えるのかも教えてください。",
            "退会手続きはアプリから済ませましたが、情報が残っているようです。",
        ),
        (
            "ご登録情報の削除について承りました。",
            "退会手続きの完了後、法令で保存が必要な情報を除き削除いたします。",
            "バックアップからは一定期間の経過後に消去されます。",
        ),
    ),
    (
        ("Please delete my account and data", "Erasure of my personal data", "Remove my details"),
        (
            "I closed my account, so please delete all the personal data you still hold about me.",
            "I want you to stop using my data and erase it completely.",
            "Please confirm by e-mail once the deletion is complete.",
            "Please also tell me when the copies in your backups will be removed.",
        ),
        (
            "We have received your request to delete your details.",
            "Once your membership has ended we delete your data, except what the law requires us to keep.",
            "Copies in backups are removed automatically after a fixed period.",
        ),
    ),
)
_topic(
    "marketing",
    (
        ("広告メールの配信停止", "ダイレクトメールを止めてください", "配信停止の依頼", "勧誘の電話について"),
        (
            "何度も配信停止の手続きをしましたが、広告メールが届き続けています。",
            "自宅にダイレクトメールが毎週届くので、送付を停止してください。",
            "なぜ私の住所を知っているのか、入手経路を教えてください。",
            "夜遅くに勧誘の電話がかかってきて迷惑しています。",
            "メールマガジンの登録をした覚えがありません。",
            "個人情報を広告目的に使わないでください。",
        ),
        (
            "配信停止の手続きを完了いたしました。",
            "システムの反映まで一週間程度かかる場合がございます。",
            "ご不快な思いをおかけし、申し訳ございません。",
            "今後、広告目的でご連絡することはございません。",
        ),
    ),
    (
        ("Unsubscribe me", "Stop sending me marketing mail", "Unwanted sales calls", "Opt out of advertising"),
        (
            "I have unsubscribed several times but your promotional e-mails keep coming.",
            "Your catalogue arrives at my home every week; please stop sending it.",
            "Please tell me where you got my address from.",
            "Your sales staff called me late in the evening, which is unacceptable.",
            "I never signed up for your newsletter.",
            "Please do not use my personal data for advertising.",
        ),
        (
            "We have removed your address from all of our mailing lists.",
            "It may take up to a week until the change reaches every system.",
            "We apologise for the inconvenience.",
        ),
    ),
)
_topic(
    "correction",
    (
        ("登録情報の訂正", "住所変更と訂正のお願い", "氏名の誤りについて"),
        (
            "登録されている住所が古いままなので、訂正をお願いします。",
            "氏名の漢字が間違って登録されています。",
            "電話番号が変わったので、内容の訂正を求めます。",
            "誤った情報のまま郵便物が送られてきています。",
        ),
        (
            "ご登録内容の訂正を承りました。",
            "訂正が完了しましたら、書面でお知らせいたします。",
            "訂正前の情報で送付された郵便物についてお詫び申し上げます。",
        ),
    ),
    (
        ("Correction of my details", "Wrong address on file", "My name is misspelled"),
        (
            "The address you have on file is out of date; please correct it.",
            "My name is spelled wrongly in your records.",
            "My phone number has changed and I would like the record corrected.",
            "Letters are still being sent to my old address.",
        ),
        (
            "We have received your request for correction.",
            "We will let you know in writing once the correction is complete.",
        ),
    ),
)
_topic(
    "source",
    (
        ("情報の入手経路について", "どこで私の情報を知ったのですか", "名簿の出どころ"),
        (
            "御社とは取引がないのに、私宛ての郵便が届きました。",
            "私の個人情報をどこから入手したのか教えてください。",
            "名簿業者から購入したのであれば、その業者名を知りたいです。",
            "共同利用の範囲についても説明してください。",
        ),
        (
            "お客様の情報は、グループ会社との共同利用により取得したものです。",
            "共同利用の範囲と管理責任者はホームページで公表しております。",
            "今後のご案内を停止する手続きも承ります。",
        ),
    ),
    (
        ("Where did you get my data?", "Source of my personal details", "How do you know my address?"),
        (
            "I have never been your customer, yet I received a letter from you.",
            "Please tell me where you obtained my personal data.",
            "If you bought a mailing list, I want to know from whom.",
            "Please explain which group companies share my information.",
        ),
        (
            "Your details were shared with us by a group company under joint use.",
            "The scope of the joint use and the company responsible are published on our website.",
        ),
    ),
)
_topic(
    "third_party",
    (
        ("第三者提供の停止", "他社への提供について", "提携先への情報提供"),
        (
            "私の情報を提携先に提供しないでください。",
            "第三者提供の停止を求めます。",
            "どの会社に個人情報が渡っているのか知りたいです。",
            "同意した覚えのない会社から連絡が来ました。",
        ),
        (
            "第三者への提供を停止する手続きを承りました。",
            "提供先の一覧は書面にてお送りいたします。",
        ),
    ),
    (
        ("Stop sharing my data with third parties", "Data sharing with partners", "Third-party provision"),
        (
            "Please stop providing my details to your partner companies.",
            "I never agreed to my data being passed on to other firms.",
            "A company I have never heard of contacted me and said it got my details from you.",
        ),
        (
            "We have stopped providing your details to third parties.",
            "We will send you the list of recipients in writing.",
        ),
    ),
)
_topic(
    "leak",
    (
        ("情報漏えいの心配", "不審なメールについて", "漏えいの有無の確認"),
        (
            "御社を名乗る不審なメールが届きました。情報が漏れていないか心配です。",
            "ニュースで漏えい事故の報道を見ましたが、私の情報は含まれていますか。",
            "クレジットカードが不正利用されました。御社のサイトでしか使っていません。",
            "個人情報の管理体制について説明を求めます。",
            "パスワードを変更するよう促すメールは本物でしょうか。",
        ),
        (
            "ご心配をおかけし申し訳ございません。現在、事実関係を調査しております。",
            "当社からパスワードの変更をメールで依頼することはございません。",
            "調査の結果が分かり次第、改めてご連絡いたします。",
        ),
    ),
    (
        ("Was my data leaked?", "Suspicious e-mail in your name", "Possible data breach"),
        (
            "I received a suspicious e-mail claiming to be from you. Has my data been leaked?",
            "I saw a news report about a breach. Is my information affected?",
            "My card was used fraudulently and I only ever used it on your site.",
            "Please explain how you protect personal data.",
        ),
        (
            "We are sorry for the worry this has caused and are looking into it.",
            "We never ask customers to change their password by e-mail.",
            "We will contact you again as soon as our investigation is complete.",
        ),
    ),
)
_topic(
    "purpose",
    (
        ("利用目的の通知について", "個人情報の利用目的", "利用目的を教えてください"),
        (
            "私の個人情報をどのような目的で利用しているのか通知してください。",
            "アンケートで回答した内容が何に使われるのか知りたいです。",
            "利用目的の範囲を超えて使われていないか確認したいです。",
        ),
        (
            "利用目的はプライバシーポリシーに記載のとおりです。",
            "ご請求に基づき、利用目的を書面で通知いたします。",
        ),
    ),
    (
        ("Purposes of use of my data", "What do you use my data for?", "Notification of purpose"),
        (
            "Please tell me for what purposes you use my personal data.",
            "What happens to the answers I gave in your survey?",
            "I want to make sure my data is not used beyond the stated purposes.",
        ),
        (
            "The purposes of use are listed in our privacy policy.",
            "We will notify you of the purposes in writing as you requested.",
        ),
    ),
)
_topic(
    "staff",
    (
        ("担当者の対応について", "窓口の対応への苦情", "電話対応が不誠実です"),
        (
            "先日の電話で担当者の対応が非常に失礼でした。",
            "本人確認と言われて、必要以上の情報を聞かれました。",
            "窓口で他の客にも聞こえる声で私の住所を読み上げられました。",
            "約束した折り返しの連絡がまだありません。",
        ),
        (
            "担当者の対応によりご不快な思いをおかけし、誠に申し訳ございません。",
            "事実関係を確認し、再発防止に努めます。",
            "本件は責任者にも報告いたしました。",
        ),
    ),
    (
        ("Complaint about your staff", "Rude treatment on the phone", "Unprofessional handling"),
        (
            "The person I spoke to on the phone last week was very rude.",
            "I was asked for far more information than needed just to confirm who I am.",
            "Your staff read out my address at the counter where other customers could hear it.",
            "Nobody called me back as promised.",
        ),
        (
            "We sincerely apologise for the way you were treated.",
            "We are looking into what happened and will take steps so that it does not happen again.",
        ),
    ),
)
_topic(
    "overseas",
    (
        ("外国への移転について", "海外のサーバーへの保存", "外国にある第三者への提供"),
        (
            "私のデータが海外のサーバーに保存されていると聞きました。",
            "移転先の国の制度や安全管理措置について教えてください。",
            "外国の委託先に個人情報が渡っているのか確認したいです。",
        ),
        (
            "移転先の国名と、講じている措置について書面でご案内いたします。",
            "委託先とは安全管理に関する契約を締結しております。",
        ),
    ),
    (
        ("Transfer of my data abroad", "Are my data stored overseas?", "Overseas service providers"),
        (
            "I heard that my data are stored on servers outside Japan.",
            "Please tell me which countries my data go to and how they are protected there.",
            "Do any overseas contractors handle my personal data?",
        ),
        (
            "We will send you the names of the countries and the safeguards in place.",
            "Our overseas contractors are bound by data protection agreements.",
        ),
    ),
)
_topic(
    "job",
    (
        ("応募書類の返却について", "採用選考の情報", "不採用者の情報の取扱い"),
        (
            "採用選考に応募しましたが、不採用となりました。提出した履歴書を返却してください。",
            "選考で提出した書類がいつまで保管されるのか教えてください。",
            "面接の記録は削除していただけますか。",
        ),
        (
            "応募書類は選考終了後、一定期間の経過後に廃棄しております。",
            "ご希望により返却の手続きをいたします。",
        ),
    ),
    (
        ("My job application documents", "Data from a job application", "Return of my CV"),
        (
            "I applied for a position and was not selected. Please return or destroy my CV.",
            "How long do you keep documents from unsuccessful applicants?",
            "Please delete the notes from my interview.",
        ),
        ("We destroy application documents a fixed period after the selection ends.",),
    ),
)
_topic(
    "camera",
    (
        ("防犯カメラの映像について", "店内カメラの撮影", "映像の保存期間"),
        (
            "店舗の防犯カメラに映った自分の映像を確認したいです。",
            "カメラの映像はどのくらいの期間保存されますか。",
            "撮影していることの掲示が見当たりませんでした。",
        ),
        (
            "防犯カメラの映像は一定期間で自動的に上書きされます。",
            "店舗での掲示について確認いたします。",
        ),
    ),
    (
        ("CCTV footage", "Cameras in your store", "Retention of camera recordings"),
        (
            "I would like to see the CCTV footage of me from your store.",
            "How long do you keep camera recordings?",
            "I could not see any notice that the store is filmed.",
        ),
        ("Camera recordings are overwritten automatically after a short period.",),
    ),
)
_topic(
    "deceased",
    (
        ("亡くなった家族の情報について", "故人の会員情報", "相続人からの問い合わせ"),
        (
            "先月父が亡くなりました。父の会員情報を削除してください。",
            "故人宛てのダイレクトメールが届き続けて辛いです。",
            "相続人として必要な書類を教えてください。",
        ),
        (
            "ご家族のご逝去に心よりお悔やみ申し上げます。",
            "ご登録の停止について、相続人の方の確認書類をお送りください。",
        ),
    ),
    (
        ("My late mother's account", "Data of a deceased family member", "Mail addressed to my late husband"),
        (
            "My mother passed away last month. Please close her account and delete her details.",
            "Letters addressed to my late husband keep arriving, which is painful.",
            "Which documents do you need from me as the heir?",
        ),
        (
            "Please accept our condolences.",
            "We will close the account once we have received the documents showing that you are the heir.",
        ),
    ),
)
_topic(
    "misdelivery",
    (
        ("他人宛ての郵便物が届きました", "誤送付について", "他人の情報が記載されていました"),
        (
            "御社からの封筒に、他人の氏名と住所が書かれた書類が入っていました。",
            "私宛ての請求書が別の住所に届いたようです。",
            "誤送付された書類はどのように返送すればよいでしょうか。",
        ),
        (
            "誤送付によりご迷惑をおかけし、深くお詫び申し上げます。",
            "返信用封筒をお送りしますので、書類のご返送をお願いいたします。",
        ),
    ),
    (
        ("I received someone else's letter", "Misdirected mail", "Another customer's details in my envelope"),
        (
            "The envelope you sent me contained a document with another customer's name and address.",
            "It seems my invoice was sent to a different address.",
            "How should I return the misdirected documents?",
        ),
        (
            "We apologise for sending this to you by mistake.",
            "We will send you a prepaid envelope to return the documents.",
        ),
    ),
)
_topic(
    "status",
    (
        ("先日の件の進捗", "回答はまだでしょうか", "問い合わせの状況確認"),
        (
            "先日お送りした件について、その後の状況を教えてください。",
            "二週間以上経ちましたが、まだ回答がありません。",
            "受付番号を控えていなかったのですが、確認できますか。",
        ),
        (
            "お問い合わせの件は現在確認中です。",
            "回答まで今しばらくお待ちください。",
        ),
    ),
    (
        ("Any update on my request?", "Still waiting for a reply", "Status of my inquiry"),
        (
            "Could you tell me where things stand with my earlier message?",
            "It has been more than two weeks and I have not heard back.",
            "I did not keep the reference number; can you still find my case?",
        ),
        ("Your inquiry is being handled and we will reply shortly.",),
    ),
)
_topic(
    "cookies",
    (
        ("クッキーと閲覧履歴について", "アプリの位置情報", "行動履歴の利用"),
        (
            "ウェブサイトの閲覧履歴がどのように使われているのか知りたいです。",
            "アプリが位置情報を常に取得しているようです。",
            "ターゲティング広告を止める方法を教えてください。",
        ),
        (
            "クッキーの設定はブラウザから変更できます。",
            "アプリの位置情報の取得は設定画面から無効にできます。",
        ),
    ),
    (
        ("Cookies and tracking", "Location data in your app", "Targeted advertising"),
        (
            "How do you use the cookies and browsing history from your website?",
            "Your app seems to collect my location all the time.",
            "How can I stop targeted advertising?",
        ),
        (
            "You can change the cookie settings in your browser.",
            "Location access can be turned off in the app settings.",
        ),
    ),
)

# Which topics a ticket of a category may be about (weights); a request's topic follows its type.
CATEGORY_TOPICS: dict[str, tuple[tuple[str, int], ...]] = {
    "inquiry": (
        ("marketing", 14), ("source", 12), ("purpose", 8), ("cookies", 10), ("deletion", 12), ("status", 10),
        ("disclosure_howto", 4), ("overseas", 5), ("job", 6), ("camera", 5), ("deceased", 4), ("leak", 6),
        ("correction", 4),
    ),
    "complaint": (
        ("marketing", 30), ("staff", 25), ("leak", 15), ("misdelivery", 12), ("third_party", 8), ("source", 10),
    ),
}  # fmt: skip
REQUEST_TOPIC = {
    "disclosure": "disclosure",
    "third_party_record_disclosure": "disclosure",
    "purpose_notification": "purpose",
    "correction": "correction",
    "suspension_of_use": "deletion",
    "stop_third_party_provision": "third_party",
    "overseas_transfer_info": "overseas",
    "deceased_courtesy": "deceased",
}

JA_NOTES = (
    "本人確認書類の到着を待つ。", "電話で折り返し済み。留守電にメッセージを残した。",
    "同一人物からの過去の問い合わせあり。",
    "配信停止リストへの登録を依頼済み。", "責任者に報告済み。回答文案の確認待ち。", "郵送での回答を希望とのこと。",
    "関連部署に事実確認を依頼した。", "重複の問い合わせ。先行のチケットで対応する。", "回答期限に注意。",
    "委任状の記載に不備あり。再提出を依頼する。", "システム部門の調査結果待ち。", "顧客番号で登録情報を照合した。",
)  # fmt: skip
EN_NOTES = (
    "Waiting for the identity document.", "Called back, left a voicemail.", "Same person wrote to us before.",
    "Asked marketing to add the address to the suppression list.", "Escalated to the manager; draft reply pending.",
    "Requester prefers a reply by post.", "Asked the store for the facts.", "Duplicate; handled in the earlier ticket.",
    "Mind the deadline.", "Power of attorney incomplete; asked for a new one.", "Waiting for IT's findings.",
    "Matched the record by customer number.",
)  # fmt: skip
JA_FOLLOWUP = (
    "ご連絡ありがとうございます。", "ご回答ありがとうございました。追加で質問させてください。",
    "書類を本日郵送しました。", "まだ同じメールが届いています。", "承知しました。手続きを進めます。",
    "説明がよく分からなかったので、もう一度教えてください。",
    "確認いたしました。引き続きよろしくお願いします。",
)  # fmt: skip
EN_FOLLOWUP = (
    "Thank you for getting back to me.", "Thanks for the answer; I have one more question.",
    "I posted the documents today.", "I am still receiving the same e-mails.", "Understood, I will go ahead.",
    "I did not quite follow the explanation; could you explain again?", "Noted, thank you for your help.",
)  # fmt: skip
JA_AGENT_OPEN = (
    "{name}様",
    "{name}様\n\nお問い合わせいただきありがとうございます。",
    "{name}様\n\nご連絡ありがとうございます。",
)
JA_AGENT_CLOSE = (
    "ご不明な点がございましたら、本メールにご返信ください。", "引き続きよろしくお願いいたします。",
    "今後ともよろしくお願い申し上げます。",
)  # fmt: skip
EN_AGENT_OPEN = (
    "Dear {name},",
    "Dear {name},\n\nThank you for contacting us.",
    "Hello {name},\n\nThank you for your message.",
)
EN_AGENT_CLOSE = ("If you have any questions, just reply to this e-mail.", "Kind regards,", "With best regards,")


def _fill(rng: random.Random, template: str, language: str, person_name: str) -> str:
    pref, ward = rng.choice(JA_PREFECTURES)
    services, items, cities = (
        (JA_SERVICES, JA_ITEMS, JA_CITIES) if language == "ja" else (EN_SERVICES, EN_ITEMS, EN_CITIES)
    )
    return template.format(
        y=rng.randint(2015, 2026), m=rng.randint(1, 12), d=rng.randint(1, 28), h=rng.randint(9, 21),
        mon=rng.choice(MONTHS), service=rng.choice(services), item=rng.choice(items), city=rng.choice(cities),
        order=f"{rng.choice('ABCDEFGHKMNPRSTW')}{rng.randint(10000000, 99999999)}",
        member=f"{rng.randint(1000, 9999)}-{rng.randint(100000, 999999)}", pref=pref, ward=ward, name=person_name,
    )  # fmt: skip


def _some(rng: random.Random, pool: tuple[str, ...], low: int, high: int) -> list[str]:
    return rng.sample(pool, min(len(pool), rng.randint(low, high)))


def inbound(rng: random.Random, language: str, topic: str, name: str) -> tuple[str, str]:
    """The subject and text of a requester's first message."""
    t = TOPICS[topic]
    if language == "ja":
        parts = [rng.choice(JA_GREETING), _fill(rng, rng.choice(JA_SELF), language, name)]
        parts += [_fill(rng, c, language, name) for c in _some(rng, JA_CONTEXT, 1, 3)]
        parts += _some(rng, t.ja_body, 2, 4) + _some(rng, JA_GENERAL, 0, 2)
        body = "".join(parts[:2]) + "\n" + "".join(parts[2:]) + "\n" + rng.choice(JA_CLOSING) + "\n" + name
        return rng.choice(t.ja_subjects), body
    parts = [_fill(rng, rng.choice(EN_SELF), language, name)]
    parts += [_fill(rng, c, language, name) for c in _some(rng, EN_CONTEXT, 1, 3)]
    parts += _some(rng, t.en_body, 2, 4) + _some(rng, EN_GENERAL, 0, 2)
    body = rng.choice(EN_GREETING) + "\n\n" + " ".join(parts) + "\n\n" + rng.choice(EN_CLOSING) + "\n" + name
    return rng.choice(t.en_subjects), body


def reply(rng: random.Random, language: str, topic: str, name: str) -> str:
    """An agent's reply to the requester."""
    t = TOPICS[topic]
    if language == "ja":
        lines = [rng.choice(JA_AGENT_OPEN).format(name=name.replace(" ", ""))]
        lines.append("".join(_some(rng, t.ja_reply, 1, 3)))
        if rng.random() < 0.5:
            lines.append(_fill(rng, rng.choice(JA_CONTEXT), language, name))
        lines.append(rng.choice(JA_AGENT_CLOSE))
        return "\n\n".join(lines)
    lines = [rng.choice(EN_AGENT_OPEN).format(name=name)]
    lines.append(" ".join(_some(rng, t.en_reply, 1, 3)))
    lines.append(rng.choice(EN_AGENT_CLOSE))
    return "\n\n".join(lines)


def followup(rng: random.Random, language: str, topic: str, name: str) -> str:
    """The requester's own words in a later message (the quote of our mail is added by the caller)."""
    t = TOPICS[topic]
    if language == "ja":
        return (
            "".join([rng.choice(JA_FOLLOWUP), *_some(rng, t.ja_body, 0, 1), *_some(rng, JA_GENERAL, 0, 1)])
            + "\n"
            + name
        )
    return (
        " ".join([rng.choice(EN_FOLLOWUP), *_some(rng, t.en_body, 0, 1), *_some(rng, EN_GENERAL, 0, 1)]) + "\n" + name
    )


def note(rng: random.Random, language: str) -> str:
    return rng.choice(JA_NOTES if language == "ja" else EN_NOTES)


def logged_call(rng: random.Random, language: str, topic: str, channel: str) -> str:
    """What an agent writes down from a call or a letter."""
    t = TOPICS[topic]
    if language == "ja":
        return ("電話にて受付。" if channel == "phone" else "郵便にて受領。") + "".join(_some(rng, t.ja_body, 1, 2))
    return ("Taken by phone. " if channel == "phone" else "Received by post. ") + " ".join(_some(rng, t.en_body, 1, 2))


def quote(text: str, language: str) -> str:
    """Our earlier mail, quoted under a reply."""
    head = "担当者様からのメール:" if language == "ja" else "On an earlier date, the desk wrote:"
    return head + "\n" + "\n".join("> " + line for line in text.splitlines()[:12])


__all__ = [
    "CATEGORY_TOPICS",
    "REQUEST_TOPIC",
    "TOPICS",
    "Person",
    "followup",
    "inbound",
    "logged_call",
    "note",
    "person",
    "quote",
    "reply",
]
