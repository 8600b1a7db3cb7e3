"""`flask exchange ...`: the folder-based exchange."""
from flask.cli import AppGroup

exchange_cli = AppGroup("exchange", help="Trao đổi văn bản điện tử (gói tin edXML).")
