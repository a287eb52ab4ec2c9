package live.highlights.app

import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Typography
import androidx.compose.material3.darkColorScheme
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.text.TextStyle
import androidx.compose.ui.text.font.FontFamily

private val Light = lightColorScheme(
    primary = Color(0xFFC2185B), onPrimary = Color.White,
    primaryContainer = Color(0xFFFFD9E2), onPrimaryContainer = Color(0xFF3E001D),
    secondaryContainer = Color(0xFFF3DDE3), onSecondaryContainer = Color(0xFF2B151C),
    tertiary = Color(0xFF0B7A53), tertiaryContainer = Color(0xFFB7F1D3), onTertiaryContainer = Color(0xFF002113),
)

private val Dark = darkColorScheme(
    primary = Color(0xFFFFB1C8), onPrimary = Color(0xFF5E1133),
    primaryContainer = Color(0xFF8E2A52), onPrimaryContainer = Color(0xFFFFD9E2),
    secondaryContainer = Color(0xFF5A3F47), onSecondaryContainer = Color(0xFFFFD9E2),
    tertiary = Color(0xFF8BD7B2), tertiaryContainer = Color(0xFF005236), onTertiaryContainer = Color(0xFFB7F1D3),
)

/** Material 3 in the feature's colours, every text style in the shell's bundled typeface where it has one. */
@Composable
fun HighlightsTheme(dark: Boolean, content: @Composable () -> Unit) {
    val font = LocalShell.current.fontFamily
    MaterialTheme(colorScheme = if (dark) Dark else Light, typography = font?.let(::typography) ?: Typography(), content = content)
}

private fun typography(font: FontFamily): Typography {
    val t = Typography()
    fun TextStyle.f() = copy(fontFamily = font)
    return t.copy(
        displayLarge = t.displayLarge.f(), displayMedium = t.displayMedium.f(), displaySmall = t.displaySmall.f(),
        headlineLarge = t.headlineLarge.f(), headlineMedium = t.headlineMedium.f(), headlineSmall = t.headlineSmall.f(),
        titleLarge = t.titleLarge.f(), titleMedium = t.titleMedium.f(), titleSmall = t.titleSmall.f(),
        bodyLarge = t.bodyLarge.f(), bodyMedium = t.bodyMedium.f(), bodySmall = t.bodySmall.f(),
        labelLarge = t.labelLarge.f(), labelMedium = t.labelMedium.f(), labelSmall = t.labelSmall.f(),
    )
}
