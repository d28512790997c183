"""No secret reaches the audit trail: no one-time code, token, password hash or key (issue 11, item 2)."""

import re

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.forms.models import model_to_dict
from django.urls import reverse

from tests.factories import make_member, make_member_account
from unionportal.notifications.models import Notice
from unionportal.notifications.services import notice_send

# A field whose name says it holds a secret.
SECRET_NAME = re.compile(r"password|secret|token|otp|digest|hash|pin$|(^|_)(key|code)$")
# Fields that hold a secret although their name does not say so.
SECRET_BY_PURPOSE = {
    ("notifications.notice", "body"): "the text of a reset-code SMS carries the code",
}
# Names that look secret but are not: each was read and found public.
NOT_SECRET = {
    ("org.organisation", "code"): "the node's administrative or union code, printed on every list",
    ("org.organisation", "credit_code"): "unified social credit code, public register",
    ("org.organisation", "employer_credit_code"): "unified social credit code, public register",
    ("members.enterprise", "credit_code"): "unified social credit code, public register",
    ("mutualaid.plan", "code"): "the plan's short name",
    ("reporting.indicator", "code"): "the indicator's short name",
    ("reporting.reportline", "code"): "the indicator's short name",
    ("accounts.user", "must_change_password"): "a flag: the owner must choose a new password at the next sign-in",
    ("notifications.notice", "dedupe_key"): "the caller's name for the message (account:12:code:34), no secret",
}


def _recorded(model, name) -> bool:
    fields = auditlog.get_model_fields(model)
    included = not fields["include_fields"] or name in fields["include_fields"]
    return included and name not in fields["exclude_fields"]


def test_no_registered_model_records_a_secret_like_field():
    recorded = []
    for model in auditlog.get_models():
        for field in model._meta.concrete_fields:
            key = (model._meta.label_lower, field.name)
            secret = key in SECRET_BY_PURPOSE or (SECRET_NAME.search(field.name) and key not in NOT_SECRET)
            if secret and _recorded(model, field.name):
                recorded.append(key)
    assert recorded == [], "secret-like fields recorded in the audit log; pass them as secret_fields"


def test_the_purpose_list_names_real_fields():
    labels = {model._meta.label_lower: model for model in auditlog.get_models()}
    for label, name in SECRET_BY_PURPOSE:
        labels[label]._meta.get_field(name)


@pytest.mark.django_db
def test_a_reset_by_sms_leaves_no_code_in_any_audit_row(client, tree):
    member = make_member(union=tree["union_sz"], phone="13912345678")
    make_member_account(member)
    client.post(reverse("members:password-reset"), {"login": member.phone}, REMOTE_ADDR="10.0.0.2")
    notice = Notice.objects.get(kind="account.reset_code")
    code = re.search(r"\d{8}", notice.body).group(0)
    notice_send(notice.pk)
    password = "Neu-Passwort-9"
    data = {"id_number": member.id_number, "code": code, "password1": password, "password2": password}
    assert client.post(reverse("members:account-code"), data).status_code == 302

    entries = list(LogEntry.objects.all())
    assert any(entry.content_type.model == "notice" for entry in entries)  # the notice itself is on record
    for entry in entries:
        assert code not in str(model_to_dict(entry)), f"the code is in audit row {entry.pk} ({entry.object_repr})"
        assert "md5$" not in str(model_to_dict(entry)) and "pbkdf2" not in str(model_to_dict(entry))
