"""An action funded from several sources ("APBD, CSR"), each with its amount where known: the form, the action
page, its history, the list filter and the exports; the budget stays the total."""
from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from coordinator.extensions import db
from coordinator.models import Action, ActionFunding, AuditEntry
from tests.actions.test_list import _action_form, _codes


def _action(code: str) -> Action:
    db.session.expire_all()
    return db.session.scalar(select(Action).where(Action.code == code))


def test_two_sources_with_amounts_make_the_budget_and_show_on_the_action_page(world, as_user):
    client = as_user("koordinator@example.org")
    form = _action_form(world, fundings={"APBD": "100.000.000", "CSR": "Rp 50.000.000"}, budget_amount="")
    assert client.post("/actions/new", data=form).status_code == 302
    action = _action("1.1.9")
    assert [(f.source, f.amount) for f in action.fundings] == [("APBD", 100_000_000), ("CSR", 50_000_000)]
    assert action.budget_amount == 150_000_000  # the total, as no budget was typed
    html = client.get(f"/actions/{action.id}").get_data(as_text=True)
    assert "APBD Kabupaten: Rp 100.000.000" in html and "CSR: Rp 50.000.000" in html and "Rp 150.000.000" in html
    edit = client.get(f"/actions/{action.id}/edit").get_data(as_text=True)
    assert 'name="fundings-CSR-amount" value="50.000.000"' in edit

    # a source unticked (its amount still in the box, as the form showed it) and another's amount changed: both in
    # the action's history, with before and after
    form = _action_form(world, fundings={"APBD": "150.000.000"}, budget_amount="150.000.000")
    form["fundings-CSR-amount"] = "50.000.000"
    assert client.post(f"/actions/{action.id}/edit", data=form).status_code == 302
    assert [(f.source, f.amount) for f in _action("1.1.9").fundings] == [("APBD", 150_000_000)]
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.entity_type == "action_funding",
                                                          AuditEntry.parent_id == str(action.id))
                                 .order_by(AuditEntry.id)).all()
    assert [e.operation for e in entries] == ["create", "create", "update", "delete"]
    assert entries[2].before["amount"] == 100_000_000 and entries[2].after["amount"] == 150_000_000
    history = client.get(f"/actions/{action.id}").get_data(as_text=True).split("Riwayat perubahan")[1]
    assert "<td>Jumlah</td><td>Rp 100.000.000</td><td>Rp 150.000.000</td>" in history
    assert "menghapus sumber dana aksi CSR" in history and "mengubah sumber dana aksi APBD Kabupaten" in history
    assert "<dt>Aksi</dt>" not in history  # names, not the action's id

    # every row unticked: the action has no funding source any more
    form = _action_form(world, fundings={}, budget_amount="")
    assert client.post(f"/actions/{action.id}/edit", data=form).status_code == 302
    assert _action("1.1.9").fundings == []


def test_amounts_that_do_not_add_up_or_are_no_amount_are_refused_and_change_nothing(world, as_user):
    client = as_user("koordinator@example.org")
    before = db.session.scalar(select(func.count()).select_from(ActionFunding))
    for fundings, budget, message in [
        ({"APBD": "100.000.000", "CSR": "60.000.000"}, "150.000.000",
         "Jumlah per sumber dana (Rp 160.000.000) tidak cocok dengan anggaran aksi (Rp 150.000.000)"),
        ({"APBD": "100.000.000", "CSR": ""}, "90.000.000", "tidak cocok dengan anggaran aksi"),
        ({"APBD": "seratus juta"}, "", "APBD Kabupaten: Tulis jumlah rupiah, mis. 1.250.000 atau 600 juta"),
        ({"NOPE": ""}, "", "Pilih sumber dana dari daftar."),
    ]:
        resp = client.post("/actions/new", data=_action_form(world, fundings=fundings, budget_amount=budget))
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200 and message in html, message
    assert _action("1.1.9") is None
    assert db.session.scalar(select(func.count()).select_from(ActionFunding)) == before
    # the amount typed is shown again next to its source, with its error
    assert 'name="fundings-APBD-amount" value="seratus juta"' in client.post("/actions/new", data=_action_form(
        world, fundings={"APBD": "seratus juta"})).get_data(as_text=True)


def test_the_list_filters_and_exports_by_funding_source(world, as_user):
    world.a1.fundings = [ActionFunding(source="APBD", amount=100_000_000, position=0),
                         ActionFunding(source="CSR", amount=50_000_000, position=1)]
    world.a1.budget_amount = 150_000_000
    world.a3.fundings = [ActionFunding(source="CSR")]
    db.session.commit()
    client = as_user("koordinator@example.org")
    assert _codes(client.get("/actions?funding=CSR").get_data(as_text=True)) == ["1.1.1", "1.1.3"]
    assert _codes(client.get("/actions?funding=APBD").get_data(as_text=True)) == ["1.1.1"]
    assert _codes(client.get("/actions?funding=NOPE").get_data(as_text=True)) == []
    rows = list(load_workbook(io.BytesIO(client.get("/actions?funding=CSR&export=xlsx").data)).active
                .iter_rows(values_only=True))
    header = list(rows[0])
    funding = {r[0]: r[header.index("Sumber dana")] for r in rows[1:]}
    assert funding == {"1.1.1": "APBD Kabupaten: 100.000.000; CSR: 50.000.000", "1.1.3": "CSR"}
    # a focal point sees the filter too, within the actions of their agency
    dinsos = as_user("dinsos@example.org")
    assert _codes(dinsos.get("/actions?funding=CSR").get_data(as_text=True)) == ["1.1.1"]
