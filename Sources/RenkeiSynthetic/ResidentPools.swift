/// The word lists synthetic residents are drawn from. All invented combinations; no real person.
enum ResidentPools {
    /// Surname in kanji and its reading.
    static let surnames: [(String, String)] = [
        ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"), ("伊藤", "イトウ"),
        ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"), ("小林", "コバヤシ"), ("加藤", "カトウ"),
        ("吉田", "ヨシダ"), ("山田", "ヤマダ"), ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"),
        ("井上", "イノウエ"), ("木村", "キムラ"), ("林", "ハヤシ"), ("斎藤", "サイトウ"), ("清水", "シミズ"),
        ("長谷川", "ハセガワ"), ("石川", "イシカワ"), ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"),
    ]

    /// Surnames written with characters outside JIS X 0208 or with an ideographic variation selector
    /// (U+E0100–U+E01EF), which must count as one character with their base.
    static let edgeSurnames: [(String, String)] = [
        ("髙橋", "タカハシ"), ("\u{20BB7}田", "ヨシダ"), ("葛\u{E0100}西", "カサイ"), ("辻\u{E0100}", "ツジ"),
        ("渡邊", "ワタナベ"), ("齋藤", "サイトウ"), ("邉\u{E0102}見", "ヘンミ"),
    ]

    static let maleNames: [(String, String)] = [
        ("太郎", "タロウ"), ("翔太", "ショウタ"), ("大輔", "ダイスケ"), ("健一", "ケンイチ"), ("誠", "マコト"),
        ("蓮", "レン"), ("悠真", "ユウマ"), ("湊", "ミナト"), ("浩二", "コウジ"), ("隆", "タカシ"),
    ]

    static let femaleNames: [(String, String)] = [
        ("花子", "ハナコ"), ("陽子", "ヨウコ"), ("美咲", "ミサキ"), ("結衣", "ユイ"), ("陽菜", "ヒナ"),
        ("さくら", "サクラ"), ("恵子", "ケイコ"), ("由美", "ユミ"), ("芽依", "メイ"), ("千尋", "チヒロ"),
    ]

    /// Foreign residents: Roman name, reading, nationality code, an optional alias (通称).
    static let foreigners: [(String, String, String, String?)] = [
        ("NGUYEN VAN AN", "グエン　ヴァン　アン", "704", nil), ("TRAN THI HOA", "チャン　ティ　ホア", "704", nil),
        ("WANG WEI", "ワン　ウェイ", "156", "王　偉"), ("LI NA", "リ　ナ", "156", nil),
        ("KIM MINJUN", "キム　ミンジュン", "410", "金　民俊"), ("SANTOS MARIA", "サントス　マリア", "076", nil),
        ("GURUNG RAM", "グルン　ラム", "524", nil), ("REYES JOSE", "レイエス　ホセ", "608", nil),
        ("SMITH JOHN", "スミス　ジョン", "840", nil), ("PUTRI SARI", "プトリ　サリ", "360", nil),
    ]

    /// Prefecture, municipality name, 5-digit municipality code (before its check digit), first 3 postal digits.
    static let municipalities: [(String, String, String, String)] = [
        ("東京都", "千代田区", "13101", "100"), ("東京都", "世田谷区", "13112", "154"),
        ("大阪府", "大阪市北区", "27127", "530"), ("神奈川県", "横浜市中区", "14104", "231"),
        ("北海道", "札幌市中央区", "01101", "060"), ("福岡県", "福岡市博多区", "40132", "812"),
        ("愛知県", "名古屋市中区", "23106", "460"),
    ]

    static let towns = ["本町", "中央", "栄", "緑町", "桜台", "旭町", "若葉", "東町", "西町", "南町", "丸の内", "霞が関"]
    static let chome = ["一丁目", "二丁目", "三丁目", "四丁目", "五丁目"]
    static let buildings = ["コーポ桜", "グランドメゾン中央", "サンハイツ", "パークサイド栄", "レジデンス緑", "ハイム若葉"]
    static let fullwidthDigits = Array("０１２３４５６７８９")

    /// 住所_方書 values that need CSV quoting or JSON escaping.
    static let edgeBuildings = [
        "メゾン\"ひまわり\",3F", "コーポ桜, 別館 201", "ハイツ\"南\"", "ビル \\ 東棟", "サンハイツ,A棟,\"102\"",
    ]
}
