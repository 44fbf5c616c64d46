//! The `java.time` values `FormatFunction` passes for temporal types, and `java.util.Calendar`
//! for `%t` of a BIGINT.

use lakestack_compat::civil;

use super::FormatArg;

/// What `Temporal.query(TemporalQueries.zone())` yields.
pub(super) enum Zone {
    Offset(i32),
    Region(String),
}

#[derive(Clone, Copy)]
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    epoch_day: i64,
}

#[derive(Clone, Copy)]
struct Clock {
    nano_of_day: u64,
}

/// A temporal value with the fields its Java class supports; a missing field is what makes
/// Java throw for, say, `%tH` of a `LocalDate`.
pub(super) struct Temporal {
    pub(super) class: &'static str,
    date: Option<Civil>,
    time: Option<Clock>,
    offset: Option<i32>,
    zone: Option<Zone>,
    instant: Option<(i64, u32)>,
    /// Set for `Calendar` (BIGINT millis): `%ts` truncates the division instead of flooring.
    legacy_millis: Option<i64>,
}

const NANOS_PER_SECOND: u64 = 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;
/// 1582-10-15T00:00Z, where `GregorianCalendar` stops using the Julian calendar.
const GREGORIAN_CUTOVER_MILLIS: i64 = -12_219_292_800_000;

impl Civil {
    fn from_epoch_day(epoch_day: i64) -> Civil {
        let (year, month, day) = civil::civil_from_days(epoch_day);
        Civil {
            year,
            month,
            day,
            epoch_day,
        }
    }

    fn day_of_year(&self) -> u32 {
        civil::day_of_year(self.year, self.month, self.day)
    }

    /// `LocalDate.toString`: at least four year digits, `+` above 9999.
    fn to_java_string(self) -> String {
        let year = if self.year.abs() < 1000 {
            format!("{}{:04}", if self.year < 0 { "-" } else { "" }, self.year.abs())
        } else if self.year > 9999 {
            format!("+{}", self.year)
        } else {
            self.year.to_string()
        };
        format!("{year}-{:02}-{:02}", self.month, self.day)
    }

    fn java_hash(self) -> i32 {
        let year = self.year as i32;
        (year & 0xFFFF_F800u32 as i32) ^ (year << 11).wrapping_add((self.month << 6) as i32 + self.day as i32)
    }
}

impl Clock {
    fn second_of_day(self) -> u64 {
        self.nano_of_day / NANOS_PER_SECOND
    }

    fn nano(self) -> u64 {
        self.nano_of_day % NANOS_PER_SECOND
    }

    /// `LocalTime.toString`: seconds only when non-zero, fractions in groups of three.
    fn to_java_string(self) -> String {
        let seconds = self.second_of_day();
        let mut out = format!("{:02}:{:02}", seconds / 3600, seconds / 60 % 60);
        let nano = self.nano();
        if !seconds.is_multiple_of(60) || nano > 0 {
            out.push_str(&format!(":{:02}", seconds % 60));
        }
        if nano > 0 {
            if nano.is_multiple_of(1_000_000) {
                out.push_str(&format!(".{:03}", nano / 1_000_000));
            } else if nano.is_multiple_of(1000) {
                out.push_str(&format!(".{:06}", nano / 1000));
            } else {
                out.push_str(&format!(".{nano:09}"));
            }
        }
        out
    }

    fn java_hash(self) -> i32 {
        super::number::long_hash(self.nano_of_day as i64)
    }
}

/// `ZoneOffset.getId()`: `Z`, `+05:30` or `+05:30:15`.
pub(super) fn offset_id(total_seconds: i32) -> String {
    if total_seconds == 0 {
        return "Z".to_owned();
    }
    let magnitude = total_seconds.unsigned_abs();
    let sign = if total_seconds < 0 { '-' } else { '+' };
    let mut id = format!("{sign}{:02}:{:02}", magnitude / 3600, magnitude / 60 % 60);
    if !magnitude.is_multiple_of(60) {
        id.push_str(&format!(":{:02}", magnitude % 60));
    }
    id
}

/// `String.hashCode` over UTF-16 units.
pub(super) fn string_hash(value: &str) -> i32 {
    value
        .encode_utf16()
        .fold(0i32, |hash, unit| hash.wrapping_mul(31).wrapping_add(i32::from(unit)))
}

fn split_seconds(epoch_second: i64, nano: u32) -> (Civil, Clock) {
    let day = epoch_second.div_euclid(SECONDS_PER_DAY);
    let second_of_day = epoch_second.rem_euclid(SECONDS_PER_DAY) as u64;
    let clock = Clock {
        nano_of_day: second_of_day * NANOS_PER_SECOND + u64::from(nano),
    };
    (Civil::from_epoch_day(day), clock)
}

impl Temporal {
    fn empty(class: &'static str) -> Temporal {
        Temporal {
            class,
            date: None,
            time: None,
            offset: None,
            zone: None,
            instant: None,
            legacy_millis: None,
        }
    }

    /// The `java.time` object for a temporal argument; `None` for other arguments.
    pub(super) fn of(arg: &FormatArg) -> Option<Temporal> {
        match arg {
            FormatArg::Date { epoch_day } => Some(Temporal {
                date: Some(Civil::from_epoch_day(*epoch_day)),
                ..Temporal::empty("java.time.LocalDate")
            }),
            FormatArg::Time { nano_of_day } => Some(Temporal {
                time: Some(Clock {
                    nano_of_day: *nano_of_day,
                }),
                ..Temporal::empty("java.time.LocalTime")
            }),
            FormatArg::Timestamp { epoch_second, nano } => {
                let (date, time) = split_seconds(*epoch_second, *nano);
                Some(Temporal {
                    date: Some(date),
                    time: Some(time),
                    ..Temporal::empty("java.time.LocalDateTime")
                })
            }
            FormatArg::TimestampTz {
                epoch_second,
                nano,
                offset_seconds,
                zone,
            } => {
                let (date, time) = split_seconds(epoch_second + i64::from(*offset_seconds), *nano);
                let zone = match zone {
                    Some(region) => Zone::Region(region.clone()),
                    None => Zone::Offset(*offset_seconds),
                };
                Some(Temporal {
                    class: "java.time.ZonedDateTime",
                    date: Some(date),
                    time: Some(time),
                    offset: Some(*offset_seconds),
                    zone: Some(zone),
                    instant: Some((*epoch_second, *nano)),
                    legacy_millis: None,
                })
            }
            _ => None,
        }
    }

    /// A `GregorianCalendar` at `millis` in the JVM zone, taken to be UTC.
    pub(super) fn from_epoch_millis(millis: i64) -> Option<Temporal> {
        if millis < GREGORIAN_CUTOVER_MILLIS {
            return None;
        }
        let nano = (millis.rem_euclid(1000) * 1_000_000) as u32;
        let epoch_second = millis.div_euclid(1000);
        let (date, time) = split_seconds(epoch_second, nano);
        Some(Temporal {
            class: "java.lang.Long",
            date: Some(date),
            time: Some(time),
            offset: Some(0),
            zone: Some(Zone::Region("UTC".to_owned())),
            instant: Some((epoch_second, nano)),
            legacy_millis: Some(millis),
        })
    }

    pub(super) fn zone(&self) -> Option<&Zone> {
        self.zone.as_ref()
    }

    pub(super) fn offset(&self) -> Option<i32> {
        self.offset
    }

    pub(super) fn hour(&self) -> Option<i64> {
        self.time.map(|t| (t.second_of_day() / 3600) as i64)
    }

    /// 1-12, as `CLOCK_HOUR_OF_AMPM`.
    pub(super) fn clock_hour(&self) -> Option<i64> {
        self.hour().map(|h| if h % 12 == 0 { 12 } else { h % 12 })
    }

    pub(super) fn minute(&self) -> Option<i64> {
        self.time.map(|t| (t.second_of_day() / 60 % 60) as i64)
    }

    pub(super) fn second(&self) -> Option<i64> {
        self.time.map(|t| (t.second_of_day() % 60) as i64)
    }

    pub(super) fn nano(&self) -> Option<i64> {
        self.time.map(|t| t.nano() as i64)
    }

    pub(super) fn epoch_seconds(&self) -> Option<i64> {
        match self.legacy_millis {
            Some(millis) => Some(millis / 1000),
            None => self.instant.map(|(seconds, _)| seconds),
        }
    }

    pub(super) fn epoch_millis(&self) -> Option<i64> {
        self.instant
            .map(|(seconds, nano)| seconds * 1000 + i64::from(nano / 1_000_000))
    }

    pub(super) fn year_of_era(&self) -> Option<i64> {
        self.date.map(|d| if d.year >= 1 { d.year } else { 1 - d.year })
    }

    pub(super) fn month(&self) -> Option<i64> {
        self.date.map(|d| i64::from(d.month))
    }

    pub(super) fn day(&self) -> Option<i64> {
        self.date.map(|d| i64::from(d.day))
    }

    pub(super) fn day_of_year(&self) -> Option<i64> {
        self.date.map(|d| i64::from(d.day_of_year()))
    }

    /// 1 = Sunday … 7 = Saturday, the `Calendar` numbering Java's name tables use.
    pub(super) fn sunday_based_weekday(&self) -> Option<i64> {
        self.date.map(|d| i64::from(civil::weekday_from_sunday(d.epoch_day)))
    }

    pub(super) fn to_java_string(&self) -> String {
        let mut out = String::new();
        if let Some(date) = self.date {
            out.push_str(&date.to_java_string());
        }
        if let Some(time) = self.time {
            if self.date.is_some() {
                out.push('T');
            }
            out.push_str(&time.to_java_string());
        }
        if let Some(offset) = self.offset {
            out.push_str(&offset_id(offset));
        }
        if let Some(Zone::Region(id)) = &self.zone {
            out.push_str(&format!("[{id}]"));
        }
        out
    }

    pub(super) fn java_hash(&self) -> i32 {
        let date = self.date.map_or(0, Civil::java_hash);
        let time = self.time.map_or(0, Clock::java_hash);
        let local = date ^ time;
        match (&self.zone, self.offset) {
            (Some(zone), Some(offset)) => {
                let zone_hash = match zone {
                    Zone::Offset(seconds) => *seconds,
                    Zone::Region(id) => string_hash(id),
                };
                local ^ offset ^ zone_hash.rotate_left(3)
            }
            _ => local,
        }
    }
}
