from django.db import transaction

from .models import NumberSequence


@transaction.atomic
def allocate(name: str, count: int = 1) -> range:
    """Reserve ``count`` consecutive values of the sequence ``name``; they are never handed out again.

    A rolled-back transaction gives its block back with it, so numbers stay dense.
    """
    NumberSequence.objects.get_or_create(name=name)
    sequence = NumberSequence.objects.select_for_update().get(name=name)
    start = sequence.next_value
    sequence.next_value = start + count
    sequence.save(update_fields=["next_value"])
    return range(start, start + count)
