"""Which year's report the pages open by default."""


def test_the_report_at_hand_is_last_years_until_the_end_of_march():
    from datetime import date

    from adapters.web.routes.provider import reporting_year

    assert [reporting_year(date(2026, m, 15)) for m in (1, 3, 4, 12)] == [2025, 2025, 2026, 2026]
