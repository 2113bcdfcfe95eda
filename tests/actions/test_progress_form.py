"""The progress form as a focal point meets it: last month's cumulative budget as the start, the number pad for
money on a phone, one clear message for a percentage with a decimal."""
import re

from tests.actions.test_progress import _post


def _percent_errors(html: str) -> list[str]:
    block = re.search(r'id="percent_complete-err">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", block.group(1)) if block else []


def test_the_cumulative_budget_starts_from_the_agencys_last_figure(world, as_user):
    client = as_user("dinsos@example.org")
    assert 'name="budget_realised" type="text" value=""' in client.get(
        f"/actions/{world.a1.id}/progress/new").get_data(as_text=True)
    assert _post(client, world.a1.id, period="2026-10", budget_realised="Rp 1.250.000").status_code == 302
    form = client.get(f"/actions/{world.a1.id}/progress/new").get_data(as_text=True)
    assert re.search(r'name="budget_realised"[^>]*value="1.250.000"', form)
    assert re.search(r'inputmode="numeric"[^>]*name="budget_realised"|name="budget_realised"[^>]*inputmode="numeric"',
                     form)
    # another agency on the same action starts from its own figure, not Dinsos's
    other = as_user("dpppa@example.org")
    world.a1.supporting_agencies = [world.dpppa]
    from coordinator.extensions import db

    db.session.commit()
    assert 'value="1.250.000"' not in other.get(f"/actions/{world.a1.id}/progress/new").get_data(as_text=True)


def test_a_percentage_with_a_decimal_gets_one_message(world, as_user):
    client = as_user("dinsos@example.org")
    for typed in ("12.5", "12,5", "dua belas", "150", "-1"):
        html = _post(client, world.a1.id, percent_complete=typed).get_data(as_text=True)
        errors = _percent_errors(html)
        assert len(errors) == 1, (typed, errors)
        assert "bilangan bulat" in errors[0] or "antara 0 dan 100" in errors[0], (typed, errors)
