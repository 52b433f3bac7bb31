"""What the clerk reads: the rules' messages (English, for developers) said in Greek."""

import re
from typing import Any

STATUS_EL = {
    "draft": "σε σύνταξη",
    "submitted": "υποβλημένο",
    "returned": "επιστραμμένο",
    "approved": "εγκεκριμένο",
}

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"the planned end (\S+) is before the planned start (\S+)"),
        "η λήξη είναι πριν από την έναρξη",
    ),
    (
        re.compile(r"the planned absorption .* is larger than the budget"),
        "η προγραμματισμένη απορρόφηση ξεπερνά τον προϋπολογισμό",
    ),
    (re.compile(r"a KPI with values needs a kpi_name"), "ο δείκτης χρειάζεται όνομα"),
    (
        re.compile(r"an increasing KPI needs a target above its baseline"),
        "σε δείκτη «Αύξηση» ο στόχος πρέπει να είναι πάνω από την τιμή βάσης",
    ),
    (
        re.compile(r"a decreasing KPI needs a target below its baseline"),
        "σε δείκτη «Μείωση» ο στόχος πρέπει να είναι κάτω από την τιμή βάσης",
    ),
    (re.compile(r"an employee is listed twice"), "ο ίδιος υπάλληλος αναφέρεται δύο φορές"),
    (
        re.compile(r"an item of the (\d+) plan cannot end before"),
        r"ενέργεια του προγράμματος \1 δεν μπορεί να λήγει πριν από το \1",
    ),
    (
        re.compile(r"an item of the (\d+) plan must start by the end of"),
        r"ενέργεια του προγράμματος \1 πρέπει να ξεκινά μέσα στο \1",
    ),
    (
        re.compile(r"is not an active employee"),
        "ο υπάλληλος δεν είναι ενεργός υπάλληλος της μονάδας",
    ),
    (
        re.compile(r"code '(.+)' is already used by item"),
        r"ο κωδικός «\1» υπάρχει ήδη στο πρόγραμμα",
    ),
    (re.compile(r"a completed item is at 100 %"), "ολοκληρωμένη ενέργεια έχει πρόοδο 100%"),
    (
        re.compile(r"an item not started has no progress"),
        "ενέργεια που δεν ξεκίνησε δεν έχει πρόοδο",
    ),
    (
        re.compile(r"an item not started has no actual start"),
        "ενέργεια που δεν ξεκίνησε δεν έχει πραγματική έναρξη",
    ),
    (
        re.compile(r"only a completed or cancelled item has an actual end"),
        "πραγματική λήξη έχει μόνο ενέργεια που ολοκληρώθηκε ή ακυρώθηκε",
    ),
    (
        re.compile(r"the actual end (\S+) is before the actual start"),
        "η πραγματική λήξη είναι πριν από την πραγματική έναρξη",
    ),
    (
        re.compile(r"code '(.+)' is already used by org unit"),
        r"ο κωδικός «\1» υπάρχει ήδη σε άλλη μονάδα",
    ),
    (re.compile(r"would make a cycle"), "η μονάδα δεν μπορεί να υπαχθεί σε δική της υπομονάδα"),
    (
        re.compile(r"has (\d+) active units below it"),
        r"έχει \1 ενεργές υπομονάδες: απενεργοποιήστε τες πρώτα",
    ),
    (re.compile(r"org unit \d+ is inactive"), "η μονάδα είναι ανενεργή"),
    (re.compile(r"an office has no units below it"), "ένα γραφείο δεν έχει υπομονάδες"),
    (re.compile(r"cycle (\d+) is closed"), r"ο κύκλος \1 έχει κλείσει: δεν γίνονται αλλαγές"),
    (
        re.compile(r"there is no planning cycle for (\d+)"),
        r"δεν έχει ανοίξει κύκλος προγραμματισμού για το \1",
    ),
    (
        re.compile(r"plan \d+ is (\w+): only draft or returned plans change"),
        "το πρόγραμμα είναι «{status}»: αλλάζει μόνο όταν είναι σε σύνταξη ή επιστράφηκε",
    ),
    (
        re.compile(r"the report needs an approved plan: plan \d+ is (\w+)"),
        "ο απολογισμός χρειάζεται εγκεκριμένο πρόγραμμα (το πρόγραμμα είναι «{status}»)",
    ),
    (
        re.compile(r"the report of plan \d+ is (\w+): only a draft or returned report changes"),
        "ο απολογισμός είναι «{status}»: αλλάζει μόνο όταν είναι σε σύνταξη ή επιστράφηκε",
    ),
]


def greek(message: str) -> str:
    for pattern, template in _PATTERNS:
        m = pattern.search(message)
        if m:
            if "{status}" in template:
                return template.format(status=STATUS_EL.get(m.group(1), m.group(1)))
            return m.expand(template)
    return message


def pydantic_greek(err: dict[str, Any]) -> str:
    """A pydantic error of the shared schemas, in Greek."""
    kind, ctx = err.get("type", ""), err.get("ctx") or {}
    if kind == "missing" or (kind.endswith("_type") and err.get("input", "") is None):
        return "υποχρεωτικό πεδίο"  # a blank cell is read as None
    if kind == "greater_than_equal":
        return f"πρέπει να είναι τουλάχιστον {ctx.get('ge')}"
    if kind == "greater_than":
        return f"πρέπει να είναι μεγαλύτερο από {ctx.get('gt')}"
    if kind == "less_than_equal":
        return f"πρέπει να είναι το πολύ {ctx.get('le')}"
    if kind == "decimal_max_places":
        return f"έως {ctx.get('decimal_places')} δεκαδικά ψηφία"
    if kind in ("decimal_max_digits", "decimal_whole_digits"):
        return "ο αριθμός είναι υπερβολικά μεγάλος"
    if kind == "string_too_long":
        return f"έως {ctx.get('max_length')} χαρακτήρες"
    if kind == "string_pattern_mismatch":
        return "χωρίς κενά"
    if kind == "too_long":
        return "πάρα πολλές τιμές"
    if kind == "enum":
        return "μη αποδεκτή τιμή: διαλέξτε από τη λίστα"
    if kind == "value_error":
        return greek(str(err.get("msg", "")).removeprefix("Value error, "))
    return greek(str(err.get("msg", "μη αποδεκτή τιμή")))
