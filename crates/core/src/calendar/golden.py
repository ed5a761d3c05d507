"""Writes golden.rs, the golden tables for the lunar calendar tests, independently of lunar.rs.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install ephem holidays lunardate
    /tmp/venv/bin/python golden.py > golden.rs

New moons and major solar terms come from PyEphem (VSOP87 and ELP2000, far more precise than
the short series in lunar.rs); the calendar rules are written again here from their statement:
a month starts on the civil day of the new moon, month 11 holds the winter solstice, and in a
13-month span between two months 11 the first month without a major solar term (the sun's
longitude crossing a multiple of 30 degrees) is the leap month. If the `holidays` and
`lunardate` packages are installed, the results are cross-checked against their tables and the
differences printed on stderr.
"""
import datetime
import math
import sys

import ephem

FIRST_YEAR, LAST_YEAR = 1900, 2100


def sun_longitude(moment):
    sun = ephem.Sun(ephem.Date(moment))
    return math.degrees(ephem.Ecliptic(sun, epoch=ephem.Date(moment)).lon)


def next_major_term(moment):
    """The first moment after `moment` when the sun's longitude is a multiple of 30 degrees."""
    target = (math.floor(sun_longitude(moment) / 30.0) + 1) * 30.0 % 360
    t = ephem.Date(moment + ((target - sun_longitude(moment)) % 360.0) / 0.9856)
    for _ in range(30):
        error = ((target - sun_longitude(t) + 180) % 360) - 180
        if abs(error) < 1e-7:
            break
        t = ephem.Date(t + error / 0.9856)
    return t


def civil_day(moment, hours):
    return ephem.Date(moment + hours / 24.0).datetime().date()


def new_moon_days(first, last, hours):
    days = []
    moment = ephem.previous_new_moon(ephem.Date(first))
    while civil_day(moment, hours) <= last:
        days.append(civil_day(moment, hours))
        moment = ephem.next_new_moon(ephem.Date(moment + 1))
    return days


def major_term_days(first, last, hours):
    days = []
    moment = ephem.Date(ephem.Date(first) - 40)
    while True:
        moment = next_major_term(moment)
        if civil_day(moment, hours) > last:
            return days
        days.append(civil_day(moment, hours))
        moment = ephem.Date(moment + 1)


def month_11_start(year, hours):
    solstice = civil_day(ephem.next_solstice(ephem.Date(datetime.date(year, 12, 1))), hours)
    return max(day for day in new_moon_days(datetime.date(year, 10, 15), solstice, hours)
               if day <= solstice)


def months(solstice_year, hours):
    """(lunar year, month, leap, first day) of each month from month 11 of `solstice_year`."""
    start, end = month_11_start(solstice_year, hours), month_11_start(solstice_year + 1, hours)
    starts = [day for day in new_moon_days(start - datetime.timedelta(days=2), end, hours)
              if start <= day <= end]
    leap = None
    if len(starts) == 14:
        terms = major_term_days(start, end, hours)
        leap = next(index for index in range(1, 13)
                    if not any(starts[index] <= day < starts[index + 1] for day in terms))
    named, ordinal = [], 0
    for index, first_day in enumerate(starts[:-1]):
        if index == leap:
            month = (10 + ordinal - 1) % 12 + 1
        else:
            month = (10 + ordinal) % 12 + 1
            ordinal += 1
        year = solstice_year if month >= 11 else solstice_year + 1
        named.append((year, month, index == leap, first_day))
    return named


def first_day_of(year, month, hours):
    solstice_year = year if month >= 11 else year - 1
    return next(first_day for (y, m, leap, first_day) in months(solstice_year, hours)
                if (y, m, leap) == (year, month, False))


def table(name, doc, dates):
    lines = [f"/// {doc}", "#[rustfmt::skip]", f"pub(super) const {name}: &[(i32, u32, u32)] = &["]
    for row in range(0, len(dates), 5):
        lines.append("    " + ", ".join(f"({d.year}, {d.month}, {d.day})"
                                         for d in dates[row:row + 5]) + ",")
    return lines + ["];", ""]


def cross_check(vietnam, china, hung_kings):
    try:
        from holidays.calendars.chinese import VIETNAMESE_CALENDAR, _ChineseLunisolar
        lunisolar = _ChineseLunisolar(VIETNAMESE_CALENDAR)
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            for what, theirs, ours in (
                    ("Tết", lunisolar.lunar_new_year_date(year)[0], vietnam[year]),
                    ("Giỗ Tổ", lunisolar.hung_kings_date(year)[0], hung_kings[year])):
                if theirs is not None and theirs != ours:
                    print(f"holidays: {what} {year} {theirs}, here {ours}", file=sys.stderr)
    except ImportError:
        print("holidays is not installed: no cross-check", file=sys.stderr)
    try:
        from lunardate import LunarDate
        for year in range(FIRST_YEAR, 2100):
            theirs = LunarDate(year, 1, 1).to_solar_date()
            if theirs != china[year]:
                print(f"lunardate: Chinese New Year {year} {theirs}, here {china[year]}",
                      file=sys.stderr)
    except ImportError:
        print("lunardate is not installed: no cross-check", file=sys.stderr)


def main():
    years = range(FIRST_YEAR, LAST_YEAR + 1)
    vietnam = {year: first_day_of(year, 1, 7.0) for year in years}
    china = {year: first_day_of(year, 1, 8.0) for year in years}
    hung_kings = {year: first_day_of(year, 3, 7.0) + datetime.timedelta(days=9) for year in years}
    cross_check(vietnam, china, hung_kings)
    lines = [
        "//! Golden tables for the lunar calendar tests, computed independently of `lunar.rs` by",
        "//! `golden.py` beside this file (read it for the method; do not edit these tables by hand).",
        "//!",
        "//! New moons and major solar terms come from PyEphem 4.2.1 (VSOP87 and ELP2000). The",
        "//! Vietnamese dates agree with the Vietnamese lunisolar table of the `holidays` Python",
        "//! package (0.109) for 1901–2100; the Chinese dates agree with the `lunardate` (0.3.0) and",
        "//! `LunarCalendar` (0.0.9) packages in every year but 1916, when China still counted days in",
        "//! Beijing's local mean time (UTC+7:45:40) rather than UTC+8.",
        "",
    ]
    lines += table("TET_IN_VIETNAM", "Tết Nguyên đán in Vietnam (UTC+7), 1900–2100: year, month, day.",
                   [vietnam[year] for year in years])
    lines += table("TET_IN_CHINA_WHERE_DIFFERENT",
                   "The Chinese New Year (UTC+8) in the years where it is not Tết in Vietnam.",
                   [china[year] for year in years if china[year] != vietnam[year]])
    lines += table("HUNG_KINGS_DAY_IN_VIETNAM",
                   "Giỗ Tổ Hùng Vương (10th day of the 3rd lunar month, UTC+7), 1900–2100.",
                   [hung_kings[year] for year in years])
    print("\n".join(lines).rstrip("\n"))


if __name__ == "__main__":
    main()
