package live.highlights.app

import android.content.Context
import android.graphics.BitmapFactory
import androidx.compose.runtime.Composable
import androidx.compose.ui.graphics.ImageBitmap
import androidx.compose.ui.graphics.asImageBitmap

/** The Android side of [Shell]: string resources, the activity's back dispatcher, BitmapFactory. */
class AndroidShell(private val context: Context) : Shell {
    override val locale: java.util.Locale get() = context.resources.configuration.locales[0]

    // By name, so the shared screens need no generated R class; every name is checked on the
    // desktop build against both locales, so a missing one fails the tests, not the seller.
    @android.annotation.SuppressLint("DiscouragedApi")
    override fun text(key: String, vararg args: Any): String {
        val id = context.resources.getIdentifier(key, "string", context.packageName)
        require(id != 0) { "missing string resource $key" }
        return context.getString(id, *args)
    }

    @android.annotation.SuppressLint("DiscouragedApi")
    override fun plural(key: String, count: Int, vararg args: Any): String {
        val id = context.resources.getIdentifier(key, "plurals", context.packageName)
        require(id != 0) { "missing plurals resource $key" }
        return context.resources.getQuantityString(id, count, *args)
    }

    // No in-app video decoder: Media3 (ExoPlayer) is not built here (no Android SDK on this machine), so the
    // preview scrubs the storyboard and "Open in player" hands the MP4 to the device's player.
    override val player: VideoPlayer? = null

    @Composable
    override fun BackHandler(enabled: Boolean, onBack: () -> Unit) =
        androidx.activity.compose.BackHandler(enabled, onBack)

    override fun decodeImage(bytes: ByteArray): ImageBitmap? =
        BitmapFactory.decodeByteArray(bytes, 0, bytes.size)?.asImageBitmap()

    // Posted only with the permission (Android 13+ asks the seller); without it the in-app banner is all.
    @android.annotation.SuppressLint("MissingPermission")
    override fun notify(id: Long, message: String) {
        val manager = androidx.core.app.NotificationManagerCompat.from(context)
        if (!manager.areNotificationsEnabled()) return
        manager.createNotificationChannel(
            androidx.core.app.NotificationChannelCompat.Builder(CHANNEL, androidx.core.app.NotificationManagerCompat.IMPORTANCE_DEFAULT)
                .setName(text("highlights_title"))
                .build(),
        )
        val notification = androidx.core.app.NotificationCompat.Builder(context, CHANNEL)
            .setSmallIcon(android.R.drawable.stat_notify_more)
            .setContentTitle(text("highlights_toggle"))
            .setContentText(message)
            .setOnlyAlertOnce(true)
            .setAutoCancel(true)
            .build()
        manager.notify(id.toInt(), notification)
    }

    private companion object {
        const val CHANNEL = "live_highlights"
    }
}
