from tocsin.cases.models import Case


def test_it_stores_a_report_that_its_team_can_open(rita, logged_in, report):
    _receipt, reference = report()
    case = Case.objects.get(reference=reference)
    assert case.team.name == "default"
    response = logged_in(rita).get(f"/staff/cases/{reference}/")
    assert response.status_code == 200
    assert "took every computer" in response.content.decode()
