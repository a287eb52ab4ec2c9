package live.highlights.app

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.compose.material3.MaterialTheme
import androidx.compose.runtime.getValue
import androidx.lifecycle.compose.collectAsStateWithLifecycle
import live.highlights.HighlightsClient
import live.highlights.bindTo
import uniffi.highlights_core.Screen

/** Hosts the feature's screens; which one is on top is the core's decision, not the activity's. */
class MainActivity : ComponentActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val client = HighlightsClient.open(
            dbPath = getDatabasePath("highlights.db").absolutePath,
            sellerId = intent.getStringExtra("seller_id") ?: "seller-1",
            baseUrl = BuildConfig.BACKEND_URL,
        ) { intent.getStringExtra("token") }
        client.bindTo(lifecycle)
        setContent {
            MaterialTheme {
                val screen by client.screen.collectAsStateWithLifecycle()
                when (screen) {
                    Screen.PRODUCTS -> ProductsScreen(client)
                    Screen.HIGHLIGHTS -> HighlightsScreen(client)
                    Screen.MODULE, Screen.RECORDING -> HighlightModuleScreen(client)
                }
                OnboardingOverlay(client)
                AutoPostPopup(client)
            }
        }
    }
}
