"""How identifiers and money are shown to people: masked the way PIPL asks, in yuan with two decimals."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.formats import get_format


def mask_identifier(value) -> str:
    """Mask an ID number, bank account or phone, keeping what a clerk needs to recognise it.

    ``611002199001011234`` → ``6110**********1234``; ``13812345678`` → ``138****5678``; short values keep
    only their last character.
    """
    text = "" if value is None else str(value)
    n = len(text)
    if n >= 12:  # ID numbers, bank cards, credit codes
        return text[:4] + "*" * (n - 8) + text[-4:]
    if n == 11:  # mobile phone
        return text[:3] + "****" + text[-4:]
    if n <= 1:
        return "*" * n
    return "*" * (n - 1) + text[-1]


CENT = Decimal("0.01")


def format_yuan(amount) -> str:
    """``Decimal('1234.5')`` → ``1,234.50``: two decimals, grouped, rounded half up."""
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return str(amount)
    return _grouped(value + 0, 2)  # + 0 turns -0.00 into 0.00


def format_figure(value) -> str:
    """A reported figure with its thousands grouped and its decimals as they are: ``'791220.00'`` →
    ``791,220.00``, ``108220`` → ``108,220``, ``'17.8'`` → ``17.8``. Empty stays empty; text is left alone."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return _grouped(number, max(0, -number.as_tuple().exponent))


def _grouped(number: Decimal, places: int) -> str:
    # Python's own grouping (threes, "," and "."), then the language's separators: a list page shows a
    # hundred amounts, and Django's general number_format took five times as long for each.
    text = f"{number:,.{places}f}"
    decimal, thousand = get_format("DECIMAL_SEPARATOR"), get_format("THOUSAND_SEPARATOR")
    if (decimal, thousand) != (".", ","):
        text = text.translate({ord(","): thousand, ord("."): decimal})
    return text
