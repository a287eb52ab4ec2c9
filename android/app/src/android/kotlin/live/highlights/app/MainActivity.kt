package live.highlights.app

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import live.highlights.HighlightsClient
import live.highlights.OkHttpTransport
import live.highlights.bindTo

/** Hosts the feature's root; which screen is on top is the core's decision, not the activity's. */
class MainActivity : ComponentActivity() {
    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        val client = HighlightsClient.open(
            dbPath = getDatabasePath("highlights.db").absolutePath,
            sellerId = intent.getStringExtra("seller_id") ?: "seller-1",
            baseUrl = BuildConfig.BACKEND_URL,
            // The phone's library has no network stack of its own: Android's, with its TLS and proxies.
            transport = OkHttpTransport.shared,
        ) { intent.getStringExtra("token") }
        client.bindTo(lifecycle)
        val shell = AndroidShell(this)
        setContent { HighlightsRoot(client, shell) }
    }
}
