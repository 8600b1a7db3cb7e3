"""The words the agency reader knows: what starts an agency name (HEADS), what a group is made of (UNITS),
the verbs that end a name (STOPS), role and opener words, and the old/new tone placement. Plain data and
two helpers (`low`, `_phrases`); app/importer/agencies.py reads text with them."""
import re

# old-style tone placement ("Uỷ", "hoà") compared as the new style ("Ủy", "hòa")
_OLD_PAIRS = {"uỷ": "ủy", "uý": "úy", "uỳ": "ùy", "uỹ": "ũy", "uỵ": "ụy", "oà": "òa", "oá": "óa", "oả": "ỏa",
              "oã": "õa", "oạ": "ọa", "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe"}


def low(word: str) -> str:
    word = word.lower()
    for old, new in _OLD_PAIRS.items():
        if word.endswith(old):  # only open syllables: "hoà" -> "hòa", "thuỷ" -> "thủy"; "soát" stays
            return word[: -len(old)] + new
    return word


def _phrases(text: str) -> list[tuple[str, ...]]:
    return sorted({tuple(p.split()) for p in text.split("|") if p}, key=len, reverse=True)


# Words that start an agency name (compared in lower case, accents kept). Sorted longest first.
HEADS = _phrases(
    "ủy ban nhân dân|ubnd|hội đồng nhân dân|hđnd|ủy ban|ubmttq|mttq|sở|bộ|cục|chi cục|tổng cục|công an|"
    "văn phòng|vp|trung tâm|ttyt|phòng|trường|bệnh viện|viện|đài|báo|trang|cổng|hội|liên đoàn|liên minh|"
    "đoàn|tỉnh đoàn|huyện đoàn|thành đoàn|mặt trận|thường trực|tt|cơ quan|kho bạc|ngân hàng|chi nhánh|"
    "thanh tra|bảo hiểm xã hội|bhxh|quỹ|công ty|tổng công ty|bộ chỉ huy|bchqs|ban chỉ huy|bộ đội|hạt|đội|"
    "học viện|đại học|ban|bcđ|bcd|cảng vụ|tòa án|viện kiểm sát|quân khu|bộ tư lệnh|kiểm lâm|vườn quốc gia|"
    "tỉnh ủy|huyện ủy|thành ủy|thị ủy|đảng ủy|ủy ban kiểm tra|thành viên|các thành viên|giám đốc|"
    "phó giám đốc|chủ tịch|phó chủ tịch|thủ trưởng|lãnh đạo|trưởng ban|trưởng phòng|trưởng|chánh văn phòng|"
    "chỉ huy trưởng|người đứng đầu|bí thư|cục thuế|chi cục thuế|hải quan|kbnn|ubkt|bqlda|ban quản lý|"
    "các bộ phận|bộ phận|khoa|trạm y tế|trạm|vụ"
)
# Head words that are verbs or common nouns when followed by these words ("Ban hành", "Phòng, chống").
NOT_HEADS = {("ban", "hành"), ("ban", "giao"), ("phòng", "chống"), ("phòng", "ngừa"), ("phòng", "tránh"),
             ("hội", "nghị"), ("hội", "thảo"), ("báo", "cáo"), ("trang", "bị"), ("trường", "hợp"),
             ("cục", "bộ"), ("đội", "ngũ"), ("bộ", "máy"), ("đoàn", "kết"), ("trạm", "dừng"),
             ("thường", "xuyên"), ("trưởng", "thành"), ("đài", "thọ"), ("cơ", "sở"), ("bảo", "đảm"), ("vụ", "việc")}
# After "các": the kinds of agencies a group is made of.
UNITS = _phrases(
    "huyện|thị xã|thị|thành phố|xã|phường|đặc khu|thị trấn|quận|tỉnh|sở|ban|ngành|ban ngành|đơn vị|cơ quan|địa phương|"
    "đoàn thể|hội|phòng|tổ chức|doanh nghiệp|trường|bộ phận|khoa|trạm|thôn|làng|tổ dân phố|bệnh viện|"
    "trung tâm|sở ngành|cấp|bộ|ngành chức năng|lực lượng|chốt|đồn|trạm y tế|cơ sở|hội đoàn thể|"
    "thành viên|huyện, thị xã|sở, ngành|đồng chí|ông|bà|công ty|tổng công ty"
)
# Capitalised, these begin the sentence after a heading that ran into it ("Sở Nội vụ Chủ trì, ...").
SENTENCE_VERBS = _phrases("phối hợp|tiếp tục|tăng cường|căn cứ|chủ động|thực hiện|triển khai|khẩn trương|đẩy mạnh")
# After "các": kinds of documents, not of bodies.
DOCUMENT_WORDS = _phrases("nghị định|nghị quyết|quyết định|thông tư|luật|chỉ thị|công văn|văn bản|kế hoạch|"
                          "thông báo|chương trình|đề án|dự án|quy định|báo cáo|tờ trình|công điện")
# Lower-case words that end a name: the verb (or preposition) of the sentence begins.
STOPS = _phrases(
    "tiếp tục|chủ trì|phối hợp|làm đầu mối|là đầu mối|là cơ quan|làm cơ quan|khẩn trương|thực hiện|tăng cường|"
    "đề xuất|chịu trách nhiệm|có trách nhiệm|rà soát|chỉ đạo|triển khai|tổ chức|nghiên cứu|xây dựng|theo dõi|"
    "kiểm tra|báo cáo|hướng dẫn|căn cứ|nghiêm túc|tập trung|chủ động|quán triệt|đẩy mạnh|bám|kịp thời|yêu cầu|"
    "đề nghị|giao|phải|cần|có|thống nhất|ban hành|tham mưu|trình|đôn đốc|giám sát|cập nhật|tổng hợp|thẩm định|"
    "phê duyệt|bố trí|đảm bảo|bảo đảm|hoàn thành|hoàn thiện|nắm|tuyên truyền|phổ biến|quản lý|xử lý|sớm|ngay|"
    "khắc phục|giải quyết|tiếp nhận|cung cấp|gửi|được|sẽ|đã|đang|cùng|thông báo|chuẩn bị|phát huy|đánh giá|"
    "tích cực|trực tiếp|duy trì|nâng cao|lập|soạn thảo|thường xuyên|kiên quyết|dừng|tạm dừng|chấp hành|"
    "phân công|điều chỉnh|bổ sung|công bố|lựa chọn|mở|vận động|tạo|hỗ trợ|khảo sát|sắp xếp|rút kinh nghiệm|"
    "xem xét|tiếp thu|nghiêm|theo|tại|trong|để|nhằm|với|cho|khi|nếu|thì|mà|nhưng|hoặc|hay|tùy|dù|mỗi|đều|"
    "vẫn|còn|vừa|cử|chỉ|thay|xác định|xét|huy động|ưu tiên|tuyệt đối|tìm|mua|bàn giao|nhận|trả|thu|phát|"
    "đưa|làm|là|kiểm soát|phát hiện|bám sát|rà|lồng ghép|đăng|sẵn sàng|tiến hành|thành lập|ứng phó|"
    "kịp|quyết liệt|quan tâm|theo dõi|điều tra|truy vết|tiêm|cách ly|phong tỏa|thẩm tra|tập huấn|"
    "liên hệ|trao đổi|thống kê|ký|chịu|nghiêm cấm|không|chưa|cũng|đồng thời|trên cơ sở|căn cứ vào|"
    "hằng|hàng|định kỳ|từ|đến|về việc|như sau|gồm|bao gồm|sau|trước"
)
ROLE_LEAD = _phrases("chủ trì|làm đầu mối|là đầu mối|làm cơ quan đầu mối|là cơ quan đầu mối|"
                     "là cơ quan thường trực|làm cơ quan thường trực|là cơ quan chủ trì|làm cơ quan chủ trì")
OPENERS = _phrases("giao cho|giao|yêu cầu|đề nghị|ủy quyền cho|ủy quyền|chỉ đạo|ủy ban nhân dân tỉnh giao|"
                   "ubnd tỉnh giao|chủ tịch ubnd tỉnh giao|chủ tịch ủy ban nhân dân tỉnh giao")
GENERIC = re.compile(r"(có\s+)?liên\s+quan$|^các\s+(cơ\s+quan|đơn\s+vị|địa\s+phương|ngành|cấp)"
                     r"(\s*,\s*(cơ\s+quan|đơn\s+vị|địa\s+phương|ngành|cấp))*$", re.IGNORECASE)
