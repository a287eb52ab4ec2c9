package live.highlights.app

import androidx.compose.runtime.Composable
import androidx.compose.runtime.ReadOnlyComposable
import java.math.BigDecimal
import java.math.RoundingMode
import java.text.DateFormat
import java.text.DecimalFormat
import java.text.NumberFormat
import java.util.Calendar
import java.util.Currency
import java.util.Date
import java.util.Locale

// Numbers, amounts, times and spans as the seller reads them, in their language. Every unit is
// joined to its number by a non-breaking space in the resources, so the two never part.

/** A wall-clock time of day in the device's language. */
@Composable
@ReadOnlyComposable
fun clock(epochMs: Long): String =
    DateFormat.getTimeInstance(DateFormat.SHORT, LocalShell.current.locale).format(Date(epochMs)).nbsp()

/** A date with its weekday, e.g. "Saturday, October 31, 2026". */
@Composable
@ReadOnlyComposable
fun longDate(epochMs: Long): String = DateFormat.getDateInstance(DateFormat.FULL, LocalShell.current.locale).format(Date(epochMs))

/** A short date and time, e.g. "Oct 31, 2026, 8:00 PM": what names a LIVE whose title is blank. */
@Composable
@ReadOnlyComposable
fun dateTime(epochMs: Long): String =
    DateFormat.getDateTimeInstance(DateFormat.MEDIUM, DateFormat.SHORT, LocalShell.current.locale).format(Date(epochMs)).nbsp()

/** The day header of a LIVE list: Today, Yesterday, or its date. */
@Composable
@ReadOnlyComposable
fun dayLabel(epochMs: Long, nowMs: Long): String = when (daysBetween(epochMs, nowMs)) {
    0 -> tr("day_today")
    1 -> tr("day_yesterday")
    else -> longDate(epochMs)
}

/** Calendar days from [fromMs] to [toMs] in the device's time zone. */
fun daysBetween(fromMs: Long, toMs: Long): Int {
    fun day(ms: Long) = Calendar.getInstance().apply {
        timeInMillis = ms
        set(Calendar.HOUR_OF_DAY, 12); set(Calendar.MINUTE, 0); set(Calendar.SECOND, 0); set(Calendar.MILLISECOND, 0)
    }.timeInMillis / 86_400_000L
    return (day(toMs) - day(fromMs)).toInt()
}

/** The day a LIVE belongs to, for grouping rows (same day, same key). */
fun dayKey(epochMs: Long): Int = daysBetween(0, epochMs)

/** A LIVE's name: its title, or its date when it has none. */
@Composable
@ReadOnlyComposable
fun liveTitle(title: String, startedAtMs: Long): String = title.trim().ifEmpty { tr("live_of", dateTime(startedAtMs)) }

/** A position within a recording as m:ss (h:mm:ss past an hour). */
fun offset(ms: Long): String {
    val s = maxOf(0L, ms / 1000)
    return if (s >= 3600) "%d:%02d:%02d".format(s / 3600, s / 60 % 60, s % 60) else "%d:%02d".format(s / 60, s % 60)
}

/** A length of time in words: "45 s", "12 min", "1 h 5 min" (seconds only under a minute). */
@Composable
@ReadOnlyComposable
fun span(ms: Long): String {
    val s = maxOf(0L, ms / 1000)
    return when {
        s < 60 -> tr("span_s", s.toInt())
        s < 3600 -> tr("span_min", ((s + 30) / 60).toInt())
        s < 100 * 3600 -> tr("span_h_min", (s / 3600).toInt(), (s / 60 % 60).toInt())
        // A week of watch time and more: whole hours, compact, so a tile never cuts it.
        else -> tr("span_h", compact(s / 3600))
    }
}

/** Time until [dueMs] for a countdown: whole minutes rounded up, seconds in the last minute. */
@Composable
@ReadOnlyComposable
fun countdown(dueMs: Long, nowMs: Long): String {
    val left = maxOf(0L, dueMs - nowMs)
    return if (left < 60_000) tr("span_s", ((left + 999) / 1000).toInt()) else span(((left + 59_999) / 60_000) * 60_000)
}

/** A count in the device's language, compact past a thousand: 950, 12.3K, 4.5M (12,3 rb in Indonesian). */
@Composable
@ReadOnlyComposable
fun compact(n: Long): String {
    val locale = LocalShell.current.locale
    val abs = kotlin.math.abs(n)
    if (abs < 1_000) return NumberFormat.getIntegerInstance(locale).format(n)
    return when {
        abs < 1_000_000 -> tr("compact_thousand", oneDecimal(n, 1_000L, locale))
        abs < 1_000_000_000 -> tr("compact_million", oneDecimal(n, 1_000_000L, locale))
        else -> tr("compact_billion", oneDecimal(n, 1_000_000_000L, locale))
    }
}

/** [n] / [divisor] with at most one decimal (none from 100 up): 12.3, 123, 1.0 → 1. */
private fun oneDecimal(n: Long, divisor: Long, locale: Locale): String {
    val value = BigDecimal.valueOf(n).divide(BigDecimal.valueOf(divisor))
    val f = NumberFormat.getNumberInstance(locale)
    f.maximumFractionDigits = if (value.abs() >= BigDecimal.valueOf(100)) 0 else 1
    f.roundingMode = RoundingMode.DOWN
    return f.format(value)
}

/** A decimal like a rate factor, "4.2" (4,2 in Indonesian). */
@Composable
@ReadOnlyComposable
fun decimal(x: Double): String = NumberFormat.getNumberInstance(LocalShell.current.locale).apply { maximumFractionDigits = 1 }.format(x)

/**
 * The symbol of [currency] as its own country writes it: $ for USD, Rp for IDR, in the device's
 * language when it has one for that country, else in the country's own (English has no en-ID, so
 * rupiah would otherwise show as "IDR").
 */
private fun symbol(currency: Currency, locale: Locale): String {
    val code = currency.currencyCode
    val country = code.take(2)
    val inLanguage = currency.getSymbol(Locale(locale.language, country))
    if (inLanguage != code) return inLanguage
    return Locale.getAvailableLocales().asSequence().filter { it.country == country }
        .map { currency.getSymbol(it) }.firstOrNull { it != code } ?: inLanguage
}

/**
 * An amount in minor units of [currency] (ISO 4217), e.g. "$49.90", "Rp49.900": cents only when
 * there are some. An unknown code still shows the amount, with the code the server sent.
 */
@Composable
@ReadOnlyComposable
fun money(minor: Long, currency: String): String {
    val locale = LocalShell.current.locale
    val unit = runCatching { Currency.getInstance(currency) }.getOrNull()
        ?: return "%.2f\u00A0%s".format(locale, minor / 100.0, currency)
    val digits = maxOf(0, unit.defaultFractionDigits)
    val amount = BigDecimal.valueOf(minor, digits)
    val format = (NumberFormat.getCurrencyInstance(locale) as? DecimalFormat) ?: return amount.toPlainString() + "\u00A0" + currency
    format.currency = unit
    format.decimalFormatSymbols = format.decimalFormatSymbols.apply { currencySymbol = symbol(unit, locale) }
    val cents = amount.remainder(BigDecimal.ONE).signum() != 0
    format.minimumFractionDigits = if (cents) digits else 0
    format.maximumFractionDigits = if (cents) digits else 0
    return format.format(amount).nbsp()
}

/** An amount for a tile or a row: in full under ten thousand, compact above ("$12.3K", "Rp1,2 jt"). */
@Composable
@ReadOnlyComposable
fun moneyCompact(minor: Long, currency: String): String {
    val unit = runCatching { Currency.getInstance(currency) }.getOrNull() ?: return money(minor, currency)
    val major = minor / Math.pow(10.0, maxOf(0, unit.defaultFractionDigits).toDouble()).toLong()
    if (kotlin.math.abs(major) < 10_000) return money(minor, currency)
    // A symbol ($, Rp) sits against the number; a bare code (IDR) is set apart from it.
    val symbol = symbol(unit, LocalShell.current.locale).let { if (it == unit.currencyCode) it + "\u00A0" else it }
    return tr("money_compact", symbol, compact(major))
}

/** Spaces inside a formatted value (before AM/PM, after Rp) made non-breaking. */
fun String.nbsp(): String = replace(' ', '\u00A0').replace('\u202F', '\u00A0')
