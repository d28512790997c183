"""Factories for tests: one place that knows how to make valid rows."""

import itertools

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from members.models import Organisation
from unionportal.core.demo import DEMO_PASSWORD

PASSWORD = DEMO_PASSWORD
_codes = itertools.count(1)


def make_organisation(*, parent: Organisation | None = None, kind=None, name=None, code=None) -> Organisation:
    """Treebeard nodes are made with add_root/add_child, not save(); this wraps both."""
    n = next(_codes)
    fields = {
        "kind": kind or (Organisation.Kind.CITY if parent is None else Organisation.Kind.GRASSROOTS),
        "code": code or f"T{n:06d}",
        "name": name or f"测试工会{n}",
    }
    if parent is None:
        return Organisation.objects.add_root(fields)
    parent.refresh_from_db()  # treebeard needs the parent's current numchild/path
    return Organisation.objects.add_child(parent, fields)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"职工{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for code in extracted or ():
            self.groups.add(Group.objects.get(name=code))
        if create:
            self.save()
