import Foundation
import HighlightsKit

// Numbers, amounts, times and spans as the seller reads them, in their language. Every unit is
// joined to its number by a no-break space in the resources, so the two never part across lines.

/// An epoch-millisecond instant as a `Date`.
func date(_ epochMs: Int64) -> Date { Date(timeIntervalSince1970: Double(epochMs) / 1000) }

/// An instant (now by default) in epoch milliseconds, for countdowns.
func epochMs(_ at: Date = Date()) -> Int64 { Int64(at.timeIntervalSince1970 * 1000) }

/// A wall-clock time of day in the device's language.
func clock(_ epochMs: Int64) -> String {
    date(epochMs).formatted(date: .omitted, time: .shortened).nbsp
}

/// A date with its weekday, e.g. "Saturday, October 31, 2026".
func longDate(_ epochMs: Int64) -> String {
    date(epochMs).formatted(date: .complete, time: .omitted)
}

/// A short date and time, e.g. "Oct 31, 2026 at 8:00 PM": what names a LIVE whose title is blank.
func dateTime(_ epochMs: Int64) -> String {
    date(epochMs).formatted(date: .abbreviated, time: .shortened).nbsp
}

/// Calendar days from `fromMs` to `toMs` in the device's time zone.
func daysBetween(_ fromMs: Int64, _ toMs: Int64) -> Int {
    let calendar = Calendar.current
    let from = calendar.startOfDay(for: date(fromMs)), to = calendar.startOfDay(for: date(toMs))
    return calendar.dateComponents([.day], from: from, to: to).day ?? 0
}

/// The day a LIVE belongs to, for grouping rows (same day, same key).
func dayKey(_ epochMs: Int64) -> Date { Calendar.current.startOfDay(for: date(epochMs)) }

/// The day header of a LIVE list: Today, Yesterday, or its date.
func dayLabel(_ epochMs: Int64, nowMs: Int64) -> String {
    switch daysBetween(epochMs, nowMs) {
    case 0: return L("day_today")
    case 1: return L("day_yesterday")
    default: return longDate(epochMs)
    }
}

/// A LIVE's name: its title, or its date when it has none.
func liveTitle(_ title: String, _ startedAtMs: Int64) -> String {
    let trimmed = title.trimmingCharacters(in: .whitespacesAndNewlines)
    return trimmed.isEmpty ? L("live_of", dateTime(startedAtMs)) : trimmed
}

/// A position within a recording as m:ss (h:mm:ss past an hour).
func timecode(_ ms: Int64) -> String {
    let s = max(0, ms / 1000)
    return s >= 3600
        ? String(format: "%d:%02d:%02d", Int(s / 3600), Int(s / 60 % 60), Int(s % 60))
        : String(format: "%d:%02d", Int(s / 60), Int(s % 60))
}

/// Where in the recording a highlight sits, as "m:ss–m:ss".
func range(_ screen: RecordingScreen, _ h: HighlightRow) -> String {
    let t0 = screen.recording.startedAtMs
    return timecode(h.startMs - t0) + "–" + timecode(h.endMs - t0)
}

/// The product a highlight is tied to, by name.
func productName(_ screen: RecordingScreen, _ h: HighlightRow) -> String {
    guard let id = h.productId else { return L("no_product") }
    return screen.products.first { $0.id == id }?.name ?? id
}

/// A length of time in words: "45 s", "12 min", "1 h 5 min" (seconds only under a minute).
func span(_ ms: Int64) -> String {
    let s = max(0, ms / 1000)
    if s < 60 { return L("span_s", Int(s)) }
    if s < 3600 { return L("span_min", Int((s + 30) / 60)) }
    return L("span_h_min", Int(s / 3600), Int(s / 60 % 60))
}

/// Time until `dueMs` for a countdown: whole minutes rounded up, seconds in the last minute.
func countdown(_ dueMs: Int64, nowMs: Int64) -> String {
    let left = max(0, dueMs - nowMs)
    return left < 60_000 ? L("span_s", Int((left + 999) / 1000)) : span(((left + 59_999) / 60_000) * 60_000)
}

/// Whole minutes of a delay in seconds, at least 1, for copy like "about 5 min".
func minutes(_ seconds: UInt32) -> Int { max(1, (Int(seconds) + 30) / 60) }

/// A count in the device's language, compact past a thousand: 950, 12.3K, 4.5M (12,3 rb in Indonesian).
func compact(_ n: Int64) -> String {
    let size = n.magnitude
    if size < 1_000 { return NumberFormatter.localizedString(from: NSNumber(value: n), number: .decimal) }
    if size < 1_000_000 { return L("compact_thousand", oneDecimal(n, 1_000)) }
    if size < 1_000_000_000 { return L("compact_million", oneDecimal(n, 1_000_000)) }
    return L("compact_billion", oneDecimal(n, 1_000_000_000))
}

/// `compact` of an unsigned count (views, orders), which the core sends as `UInt64`.
func compact(_ n: UInt64) -> String { compact(Int64(clamping: n)) }

/// `n / divisor` with at most one decimal (none from 100 up), cut not rounded: 12.3, 123, 1.0 → 1.
private func oneDecimal(_ n: Int64, _ divisor: Int64) -> String {
    let value = Decimal(n) / Decimal(divisor)
    let f = NumberFormatter()
    f.numberStyle = .decimal
    f.locale = Locale.current
    f.maximumFractionDigits = value.magnitude >= 100 ? 0 : 1
    f.roundingMode = .down
    return f.string(from: NSDecimalNumber(decimal: value)) ?? "\(value)"
}

/// A decimal like a rate factor, "4.2" (4,2 in Indonesian).
func decimal(_ x: Double) -> String {
    let f = NumberFormatter()
    f.numberStyle = .decimal
    f.locale = Locale.current
    f.maximumFractionDigits = 1
    return f.string(from: NSNumber(value: x)) ?? String(x)
}

/// Whether Foundation knows `currency` as an ISO 4217 code.
private func knownCurrency(_ currency: String) -> Bool {
    Locale.Currency.isoCurrencies.contains { $0.identifier == currency }
}

/// A currency formatter in the device's language for `currency` (its minor-unit digits set with the code).
private func currencyFormatter(_ currency: String) -> NumberFormatter {
    let f = NumberFormatter()
    f.numberStyle = .currency
    f.locale = Locale.current
    f.currencyCode = currency
    return f
}

/// The symbol of `currency` as its own country writes it in the device's language: $ for USD, Rp for IDR.
private func symbol(_ currency: String) -> String {
    let language = Locale.current.language.languageCode?.identifier ?? "en"
    let home = NSLocale(localeIdentifier: "\(language)_\(currency.prefix(2))")
    return home.displayName(forKey: .currencySymbol, value: currency) ?? currency
}

/// 10 to the `digits`: how many minor units make one major unit.
private func scale(_ digits: Int) -> Int64 { (0..<max(0, digits)).reduce(1) { acc, _ in acc * 10 } }

/// An amount in minor units of `currency` (ISO 4217), e.g. "$49.90", "Rp49.900": cents only when
/// there are some. An unknown code still shows the amount, with the code the server sent.
func money(_ minor: Int64, _ currency: String) -> String {
    guard knownCurrency(currency) else {
        return String(format: "%.2f\u{00A0}%@", locale: Locale.current, Double(minor) / 100, currency)
    }
    let f = currencyFormatter(currency)
    f.currencySymbol = symbol(currency)
    let digits = max(0, f.maximumFractionDigits)
    let cents = minor % scale(digits) != 0
    f.minimumFractionDigits = cents ? digits : 0
    f.maximumFractionDigits = cents ? digits : 0
    let amount = NSDecimalNumber(mantissa: minor.magnitude, exponent: Int16(-digits), isNegative: minor < 0)
    return (f.string(from: amount) ?? "\(minor)\u{00A0}\(currency)").nbsp
}

/// An amount for a tile or a row: in full under ten thousand, compact above ("$12.3K", "Rp1,2 jt").
func moneyCompact(_ minor: Int64, _ currency: String) -> String {
    guard knownCurrency(currency) else { return money(minor, currency) }
    let major = minor / scale(currencyFormatter(currency).maximumFractionDigits)
    if major.magnitude < 10_000 { return money(minor, currency) }
    // A symbol ($, Rp) sits against the number; a bare code (IDR) is set apart from it.
    let unit = symbol(currency)
    return L("money_compact", unit == currency ? unit + "\u{00A0}" : unit, compact(major))
}

extension String {
    /// Spaces inside a formatted value (before AM/PM, after Rp) made no-break, so it never wraps apart.
    var nbsp: String {
        replacingOccurrences(of: " ", with: "\u{00A0}").replacingOccurrences(of: "\u{202F}", with: "\u{00A0}")
    }
}
