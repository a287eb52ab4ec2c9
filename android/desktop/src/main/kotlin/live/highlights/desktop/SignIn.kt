package live.highlights.desktop

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.widthIn
import androidx.compose.foundation.text.KeyboardActions
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Button
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Surface
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.remember
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.focus.FocusDirection
import androidx.compose.ui.focus.FocusRequester
import androidx.compose.ui.focus.focusRequester
import androidx.compose.ui.input.key.Key
import androidx.compose.ui.input.key.KeyEventType
import androidx.compose.ui.input.key.isShiftPressed
import androidx.compose.ui.input.key.key
import androidx.compose.ui.input.key.onPreviewKeyEvent
import androidx.compose.ui.input.key.type
import androidx.compose.ui.platform.LocalFocusManager
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.input.ImeAction
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.text.input.PasswordVisualTransformation
import androidx.compose.ui.unit.dp
import live.highlights.app.plural
import live.highlights.app.tr
import uniffi.highlights_ffi.HighlightsException
import uniffi.highlights_ffi.InputProblem

/** What the sign-in screen shows: the fields as typed, whether a sign-in is running, and why the last one failed. */
data class SignInForm(
    /** The server address field. */
    val url: String = "",
    /** The token field (drawn as dots). */
    val token: String = "",
    /** A sign-in is running: the button waits. */
    val busy: Boolean = false,
    /** The string key of why the last attempt failed (or why the seller is here again), or null. */
    val problem: String? = null,
    /** Another seller's unsent changes this sign-in would drop: asked once, the next tap signs in anyway. */
    val discard: Int = 0,
)

/** The string key of why signing in failed, from the core's typed error. */
fun signInProblem(e: HighlightsException): String = when (e) {
    is HighlightsException.Auth -> "signin_refused"
    is HighlightsException.Network -> "signin_offline"
    is HighlightsException.Input -> if (e.problem == InputProblem.NOT_ALLOWED) "signin_bad_url" else "signin_failed"
    else -> "signin_failed"
}

/**
 * The first-run screen: the backend's address and the seller's token, then Sign in (or Enter).
 * Stateless: [form] in, edits and the tap out.
 */
@Composable
fun SignInContent(
    form: SignInForm,
    keptIn: String,
    onUrl: (String) -> Unit,
    onToken: (String) -> Unit,
    onSignIn: () -> Unit,
) {
    val first = remember { FocusRequester() }
    val focus = LocalFocusManager.current
    // A keyboard's Tab moves on and Enter signs in, as on any desktop form.
    val keys = Modifier.onPreviewKeyEvent { e ->
        when {
            e.type != KeyEventType.KeyDown -> false
            e.key == Key.Tab -> focus.moveFocus(if (e.isShiftPressed) FocusDirection.Previous else FocusDirection.Next)
            e.key == Key.Enter || e.key == Key.NumPadEnter -> true.also { if (form.url.isNotBlank() && form.token.isNotBlank() && !form.busy) onSignIn() }
            else -> false
        }
    }
    LaunchedEffect(Unit) { runCatching { first.requestFocus() } }
    val ready = form.url.isNotBlank() && form.token.isNotBlank() && !form.busy
    Surface(Modifier.fillMaxSize()) {
        Column(
            Modifier.padding(24.dp).widthIn(max = 480.dp).fillMaxWidth(),
            verticalArrangement = Arrangement.spacedBy(16.dp),
            horizontalAlignment = Alignment.Start,
        ) {
            Text(tr("app_name"), style = MaterialTheme.typography.labelLarge, color = MaterialTheme.colorScheme.primary)
            Text(tr("signin_title"), style = MaterialTheme.typography.headlineMedium)
            Text(tr("signin_body"), style = MaterialTheme.typography.bodyMedium)
            OutlinedTextField(
                form.url, onUrl, Modifier.fillMaxWidth().focusRequester(first).then(keys),
                label = { Text(tr("signin_url")) }, singleLine = true, enabled = !form.busy,
                placeholder = { Text("https://") },
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Uri, imeAction = ImeAction.Next),
            )
            OutlinedTextField(
                form.token, onToken, Modifier.fillMaxWidth().then(keys),
                label = { Text(tr("signin_token")) }, singleLine = true, enabled = !form.busy,
                visualTransformation = PasswordVisualTransformation(),
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Password, imeAction = ImeAction.Done),
                keyboardActions = KeyboardActions(onDone = { if (ready) onSignIn() }),
            )
            form.problem?.let {
                Text(
                    tr(it), color = MaterialTheme.colorScheme.error, style = MaterialTheme.typography.bodyMedium,
                    modifier = Modifier.semantics { liveRegion = LiveRegionMode.Polite },
                )
            }
            if (form.discard > 0) {
                Text(
                    plural("signin_discard", form.discard, form.discard), color = MaterialTheme.colorScheme.error,
                    style = MaterialTheme.typography.bodyMedium, modifier = Modifier.semantics { liveRegion = LiveRegionMode.Polite },
                )
            }
            Button(onSignIn, Modifier.fillMaxWidth(), enabled = ready) {
                Text(tr(when {
                    form.busy -> "signin_busy"
                    form.discard > 0 -> "signin_anyway"
                    else -> "signin_button"
                }))
            }
            Text(keptIn, style = MaterialTheme.typography.bodySmall, color = MaterialTheme.colorScheme.onSurfaceVariant)
        }
    }
}
