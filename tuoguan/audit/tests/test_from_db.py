"""AuditedModel.from_db's short way builds the instance Model.from_db builds."""

import datetime
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.signals import post_init
from django.test import SimpleTestCase

from tuoguan.audit.mixins import AuditedModel, _plain_attnames


def _orm_from_db(model: type[models.Model], names: list[str], values: list[Any]) -> Any:
    instance = models.Model.from_db.__func__(model, "default", names, values)  # type: ignore[attr-defined]
    instance._audit_loaded = dict(zip(names, values, strict=False))
    return instance


def _state(instance: Any) -> dict[str, Any]:
    out = dict(vars(instance))
    state = out.pop("_state")
    return {**out, "_adding": state.adding, "_db": state.db, "_cache": state.fields_cache}


AUDITED = [m for m in apps.get_models() if issubclass(m, AuditedModel)]


class FromDbTests(SimpleTestCase):
    def test_every_audited_model_loads_as_the_orm_loads_it(self) -> None:
        for model in AUDITED:
            with self.subTest(model=model.__name__):
                names = [f.attname for f in model._meta.concrete_fields]
                values = [f"value of {name}" for name in names]
                self.assertEqual(
                    _state(model.from_db("default", names, values)),
                    _state(_orm_from_db(model, names, values)),
                )

    def test_a_row_of_some_fields_only_takes_the_orms_way(self) -> None:
        model = next(m for m in AUDITED if _plain_attnames(m))
        names = [model._meta.pk.attname]
        loaded = model.from_db("default", names, [7])
        self.assertEqual(loaded.pk, 7)
        self.assertEqual(loaded.get_deferred_fields(), set(_plain_attnames(model) or ()) - {"id"})

    def test_a_model_with_a_file_or_a_signal_receiver_takes_the_orms_way(self) -> None:
        self.assertTrue(any(_plain_attnames(m) is None for m in AUDITED))
        model = next(m for m in AUDITED if _plain_attnames(m))
        seen: list[Any] = []

        def receiver(sender: Any, instance: Any, **kwargs: Any) -> None:
            seen.append(instance)

        post_init.connect(receiver, sender=model)
        try:
            names = [f.attname for f in model._meta.concrete_fields]
            loaded = model.from_db("default", names, [datetime.date(2026, 1, 1)] * len(names))
        finally:
            post_init.disconnect(receiver, sender=model)
        self.assertEqual(seen, [loaded])
