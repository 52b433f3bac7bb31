"""Every column of the workbooks, described once for the writer and the reader.

A column has a key (the field of the JSON API it carries), a Greek header that the clerk sees,
English aliases, a kind that says how its cells are written and parsed, and, for coded values,
the Greek labels of the drop-down list (the reader takes the label or the code).
"""

from dataclasses import dataclass, field
from enum import StrEnum

TEMPLATE_VERSION = "2026.1"
PLAN_SHEET = "Προγραμματισμός"
REPORT_SHEET = "Απολογισμός"
INFO_SHEET = "Οδηγίες"
LISTS_SHEET = "_lists"
META_SHEET = "_meta"
UNITS_SHEET = "Μονάδες"
STAFF_SHEET = "Υπάλληλοι"


class Kind(StrEnum):
    id = "id"  # hidden: the item's id
    version = "version"  # hidden: the version the workbook was made from
    text = "text"
    long_text = "long_text"
    date = "date"
    money = "money"
    number = "number"
    choice = "choice"
    staff = "staff"
    boolean = "boolean"


CHOICES: dict[str, dict[str, str]] = {
    "kind": {
        "action": "Δράση",
        "project": "Έργο",
        "procurement": "Προμήθεια",
        "service": "Υπηρεσία",
    },
    "funding_source": {
        "own": "Ίδιοι πόροι",
        "nsrf": "ΕΣΠΑ",
        "pde": "ΠΔΕ",
        "rrf": "Ταμείο Ανάκαμψης",
        "state": "ΚΑΠ / Κρατικοί πόροι",
        "other": "Άλλη πηγή",
    },
    "kpi_direction": {"increase": "Αύξηση", "decrease": "Μείωση"},
    "status": {
        "not_started": "Δεν ξεκίνησε",
        "in_progress": "Σε εξέλιξη",
        "completed": "Ολοκληρώθηκε",
        "postponed": "Αναβλήθηκε",
        "cancelled": "Ακυρώθηκε",
    },
    "deviation_category": {
        "funding": "Χρηματοδότηση",
        "staffing": "Στελέχωση",
        "procedural": "Διαδικασίες",
        "contractor": "Ανάδοχος",
        "technical": "Τεχνικά θέματα",
        "external": "Εξωτερικοί παράγοντες",
        "other": "Άλλο",
    },
    "unit_kind": {"directorate": "Διεύθυνση", "department": "Τμήμα", "office": "Γραφείο"},
    "active": {"yes": "Ναι", "no": "Όχι"},
}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    aliases: tuple[str, ...] = ()
    kind: Kind = Kind.text
    width: int = 14
    choices: str | None = None
    locked: bool = False  # planned columns on the report sheet
    required: bool = False
    hidden: bool = False
    note: str = ""
    names: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", (self.header, self.key, *self.aliases))


def _id() -> Column:
    return Column("id", "Α/Α συστήματος", ("item id",), Kind.id, 8, hidden=True)


def _version(note: str) -> Column:
    return Column("version", "Έκδοση", ("version",), Kind.version, 8, hidden=True, note=note)


PLAN_COLUMNS: tuple[Column, ...] = (
    _id(),
    _version("η έκδοση της ενέργειας όταν φτιάχτηκε το αρχείο"),
    Column("code", "Κωδικός", ("item code",), width=10),
    Column("kind", "Είδος", ("type",), Kind.choice, 14, "kind", required=True),
    Column("title", "Τίτλος ενέργειας", ("action", "item"), width=40, required=True),
    Column("description", "Περιγραφή", (), Kind.long_text, 50),
    Column(
        "assignees",
        "Υπεύθυνοι υπάλληλοι",
        ("staff", "employees", "assignees"),
        Kind.staff,
        30,
        note="ονόματα χωρισμένα με κόμμα",
    ),
    Column("planned_start", "Έναρξη", ("start", "start date", "planned start"), Kind.date, 12),
    Column("planned_end", "Λήξη", ("end", "end date", "planned end"), Kind.date, 12),
    Column("budget", "Προϋπολογισμός (€)", ("budget", "budget eur"), Kind.money, 16),
    Column(
        "funding_source",
        "Πηγή χρηματοδότησης",
        ("funding", "source"),
        Kind.choice,
        20,
        "funding_source",
    ),
    Column("budget_code", "ΚΑΕ", ("budget line", "kae"), width=14),
    Column(
        "planned_absorption",
        "Προγραμματισμένη απορρόφηση (€)",
        ("planned absorption", "absorption"),
        Kind.money,
        18,
    ),
    Column("weight", "Βαρύτητα", ("weight",), Kind.number, 10),
    Column("kpi_name", "Δείκτης", ("kpi", "indicator"), width=24),
    Column("kpi_unit", "Μονάδα μέτρησης", ("kpi unit", "unit of measure"), width=14),
    Column("kpi_baseline", "Τιμή βάσης", ("baseline", "kpi baseline"), Kind.number, 12),
    Column("kpi_target", "Στόχος", ("target", "kpi target"), Kind.number, 12),
    Column(
        "kpi_direction",
        "Κατεύθυνση δείκτη",
        ("kpi direction", "direction"),
        Kind.choice,
        14,
        "kpi_direction",
    ),
    Column("notes", "Παρατηρήσεις", ("notes", "remarks"), Kind.long_text, 30),
)

REPORT_COLUMNS: tuple[Column, ...] = (
    _id(),
    _version("η έκδοση του αποτελέσματος όταν φτιάχτηκε το αρχείο (0: κανένα)"),
    Column("code", "Κωδικός", ("item code",), width=10, locked=True),
    Column("kind", "Είδος", ("type",), Kind.choice, 14, "kind", locked=True),
    Column("title", "Τίτλος ενέργειας", ("action", "item"), width=40, locked=True),
    Column("planned_start", "Έναρξη", ("start", "planned start"), Kind.date, 12, locked=True),
    Column("planned_end", "Λήξη", ("end", "planned end"), Kind.date, 12, locked=True),
    Column(
        "planned_absorption",
        "Προγραμματισμένη απορρόφηση (€)",
        ("planned absorption",),
        Kind.money,
        18,
        locked=True,
    ),
    Column("status", "Κατάσταση", ("status", "outcome"), Kind.choice, 16, "status", required=True),
    Column("progress_pct", "Πρόοδος (%)", ("progress", "progress %"), Kind.number, 11),
    Column("actual_start", "Πραγματική έναρξη", ("actual start",), Kind.date, 12),
    Column("actual_end", "Πραγματική λήξη", ("actual end",), Kind.date, 12),
    Column("actual_absorption", "Απορρόφηση (€)", ("actual absorption", "spent"), Kind.money, 16),
    Column("kpi_actual", "Τιμή δείκτη", ("kpi actual", "kpi value"), Kind.number, 12),
    Column(
        "deviation_category",
        "Κατηγορία απόκλισης",
        ("deviation category",),
        Kind.choice,
        20,
        "deviation_category",
    ),
    Column(
        "deviation_reason", "Αιτία απόκλισης", ("deviation reason", "reason"), Kind.long_text, 40
    ),
)

UNIT_COLUMNS: tuple[Column, ...] = (
    Column("code", "Κωδικός μονάδας", ("unit code", "code"), width=14, required=True),
    Column("name", "Ονομασία", ("name",), width=50, required=True),
    Column(
        "kind", "Είδος μονάδας", ("unit kind", "kind"), Kind.choice, 14, "unit_kind", required=True
    ),
    Column("parent_code", "Υπάγεται σε (κωδικός)", ("parent", "parent code"), width=16),
    Column("active", "Ενεργή", ("active",), Kind.boolean, 10, "active"),
)

STAFF_COLUMNS: tuple[Column, ...] = (
    Column("unit_code", "Κωδικός μονάδας", ("unit code", "unit"), width=14, required=True),
    Column("full_name", "Ονοματεπώνυμο", ("full name", "name"), width=32, required=True),
    Column("email", "Email", ("e-mail", "mail"), width=28),
    Column("job_title", "Θέση / ειδικότητα", ("job title", "title"), width=28),
    Column("active", "Ενεργός", ("active",), Kind.boolean, 10, "active"),
)
