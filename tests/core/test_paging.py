"""The one keyset paginator: pages partition the rows, in order, whatever the page size."""

import pytest

from members.models import Member
from tests.factories import make_member
from unionportal.core import paging


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12), ("", None), (None, None), ("0", None), ("-3", None), ("1e3", None), ("9" * 19, None)],
)
def test_before_param_takes_a_plain_bounded_id_only(value, expected):
    assert paging.before_param(value) == expected


def test_offset_param_ignores_anything_but_a_small_number():
    assert [paging.offset_param(v) for v in ("20", "", "-1", "x", "1" * 9)] == [20, 0, 0, 0, 0]


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_newest_first_pages_partition_the_rows(tree, size):
    for _ in range(7):
        make_member(union=tree["union_sz"])
    expected = list(Member.objects.order_by("-pk").values_list("pk", flat=True))

    seen, before, pages = [], None, 0
    while True:
        page = paging.newest_first(Member.objects.all(), before=before, size=size)
        seen += [m.pk for m in page.rows]
        pages += 1
        if page.next_before is None:
            break
        before = page.next_before

    assert seen == expected
    assert pages == -(-len(expected) // size)


def test_after_key_continues_a_composite_order(tree):
    for union in ("union_sz", "union_sy", "union_sz"):
        make_member(union=tree[union])
    ordered = list(Member.objects.order_by("org_path", "id").values_list("org_path", "id"))

    rows, more = paging.first_rows(paging.after_key(Member.objects.all(), ("org_path", "id"), ordered[0]), 1)

    assert [(m.org_path, m.pk) for m in rows] == [ordered[1]] and more
    assert list(paging.after_key(Member.objects.all(), ("org_path", "id"), ordered[-1])) == []


def test_offset_page_gives_the_next_offset_until_the_end(tree):
    for _ in range(5):
        make_member(union=tree["union_sz"])
    members = Member.objects.order_by("pk")

    assert paging.offset_page(members, offset=0, size=2)[1] == 2
    rows, next_offset = paging.offset_page(members, offset=4, size=2)
    assert len(rows) == 1 and next_offset is None
