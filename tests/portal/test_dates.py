"""The date rules every staff form and service uses, with dates worked out by hand.

``today`` is fixed in each test: the rules take it as an argument.
"""

from datetime import date

from django import forms

from portal import dates
from portal.dates import DateProblem

TODAY = date(2025, 1, 31)


def test_an_event_that_happened_is_today_or_earlier():
    assert dates.happened(TODAY, today=TODAY) == []
    assert dates.happened(date(2024, 12, 31), today=TODAY) == []
    assert dates.happened(None, today=TODAY) == []
    assert dates.happened(date(2025, 2, 1), label="The date received", today=TODAY) == [
        DateProblem(None, "The date received cannot be in the future.")
    ]
    # Across the year end: 1 January 2025 is ahead of 31 December 2024.
    assert dates.messages(dates.happened(date(2025, 1, 1), today=date(2024, 12, 31))) == [
        "The date cannot be in the future."
    ]


def test_a_date_is_not_before_the_one_it_follows_and_the_message_names_both():
    same_day = dates.in_order(
        date(2025, 3, 1), date(2025, 3, 1), label="The date received", earlier_label="x"
    )
    assert same_day == []
    assert dates.in_order(None, date(2025, 3, 1), label="a", earlier_label="b") == []
    assert dates.in_order(date(2025, 3, 1), None, label="a", earlier_label="b") == []
    assert dates.in_order(
        date(2025, 2, 28),
        date(2025, 3, 1),
        label="The date received",
        earlier_label="the date requested",
        field="received_on",
    ) == [
        DateProblem(
            "received_on",
            "The date received (28 February 2025) cannot be before the date requested "
            "(1 March 2025).",
        )
    ]


def test_ages_in_completed_months_across_month_ends():
    born = date(2025, 1, 31)
    assert dates.age_in_months(born, date(2025, 1, 31)) == 0
    assert dates.age_in_months(born, date(2025, 2, 27)) == 0
    # One month after 31 January is the last day of February (as portal.calendar counts).
    assert dates.age_in_months(born, date(2025, 2, 28)) == 1
    assert dates.age_in_months(born, date(2025, 3, 30)) == 1
    assert dates.age_in_months(born, date(2025, 3, 31)) == 2
    assert dates.age_in_months(date(2024, 12, 15), date(2025, 1, 14)) == 0
    assert dates.age_in_months(date(2024, 12, 15), date(2025, 1, 15)) == 1


def test_ages_in_completed_years_with_birthdays_and_leap_days():
    assert dates.age_in_years(date(2004, 3, 14), date(2025, 3, 13)) == 20
    assert dates.age_in_years(date(2004, 3, 14), date(2025, 3, 14)) == 21
    # Born on 29 February: the birthday of a common year falls on 1 March (the reading
    # of the Family Law Reform Act 1969 s9 that protects the child), worked by hand.
    assert dates.age_in_years(date(2000, 2, 29), date(2021, 2, 28)) == 20
    assert dates.age_in_years(date(2000, 2, 29), date(2021, 3, 1)) == 21
    assert dates.age_in_years(date(2000, 2, 29), date(2024, 2, 28)) == 23
    assert dates.age_in_years(date(2000, 2, 29), date(2024, 2, 29)) == 24
    assert dates.birthday(date(2000, 2, 29), 21) == date(2021, 3, 1)
    assert dates.birthday(date(2000, 2, 29), 24) == date(2024, 2, 29)
    assert dates.age_words(date(2000, 2, 29), date(2001, 2, 28)) == "11 months old"
    assert dates.age_words(date(2000, 2, 29), date(2001, 3, 1)) == "1 year old"
    # A baby under a year is 0.
    assert dates.age_in_years(date(2025, 1, 1), date(2025, 12, 31)) == 0
    assert dates.age_in_years(date(2025, 1, 1), date(2026, 1, 1)) == 1


def test_ages_as_people_say_them():
    born = date(2025, 1, 31)
    assert dates.age_words(born, date(2025, 1, 31)) == "0 days old"
    assert dates.age_words(born, date(2025, 2, 1)) == "1 day old"
    assert dates.age_words(born, date(2025, 2, 14)) == "2 weeks old"
    assert dates.age_words(born, date(2025, 2, 28)) == "1 month old"
    assert dates.age_words(born, date(2025, 12, 30)) == "10 months old"
    assert dates.age_words(born, date(2027, 2, 1)) == "2 years old"


def test_a_date_of_birth_is_past_and_gives_a_plausible_age():
    assert dates.born(date(1990, 6, 1), today=TODAY) == []
    assert dates.born(TODAY, today=TODAY) == []
    assert dates.messages(dates.born(date(2025, 2, 1), today=TODAY)) == [
        "The date of birth cannot be in the future."
    ]
    # 120 is the oldest plausible age: born 31 January 1904 is 121 on 31 January 2025.
    assert dates.born(date(1904, 2, 1), today=TODAY) == []
    assert dates.messages(dates.born(date(1904, 1, 31), today=TODAY)) == [
        "The date of birth (31 January 1904) would make them 121 years old today: it must "
        "give an age of 120 or under. Check the year."
    ]
    # A child is 17 at most: the 18th birthday is one day too many.
    assert dates.born(date(2007, 2, 1), oldest=17, today=TODAY) == []
    assert dates.born(date(2007, 1, 31), oldest=17, field="date_of_birth", today=TODAY) == [
        DateProblem(
            "date_of_birth",
            "The date of birth (31 January 2007) would make them 18 years old today: it must "
            "give an age of 17 or under. Check the year.",
        )
    ]


class _Form(forms.Form):
    received_on = forms.DateField()


def test_problems_go_on_their_field_once_and_others_on_the_form():
    form = _Form({"received_on": "2025-02-01"})
    assert form.is_valid()
    dates.add_to_form(
        form,
        [
            DateProblem("received_on", "First."),
            DateProblem("received_on", "Second."),
            DateProblem("not_a_field", "On the form."),
            DateProblem(None, "On the form."),
        ],
    )
    assert form.errors["received_on"] == ["First."]
    assert form.non_field_errors() == ["On the form."]
