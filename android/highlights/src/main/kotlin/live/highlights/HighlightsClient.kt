package live.highlights

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import java.util.concurrent.atomic.AtomicBoolean
import kotlinx.coroutines.withContext
import uniffi.highlights_core.AutoPostPopup
import uniffi.highlights_core.Event
import uniffi.highlights_core.ModuleScreen
import uniffi.highlights_core.Notice
import uniffi.highlights_core.OnboardingOverlay
import uniffi.highlights_core.RecordingScreen
import uniffi.highlights_core.Screen
import uniffi.highlights_core.SyncIndicator
import uniffi.highlights_core.SyncReport
import uniffi.highlights_core.HighlightsScreen
import uniffi.highlights_core.NotificationKind
import uniffi.highlights_core.NotificationRow
import uniffi.highlights_api.RecordingStoryboard
import uniffi.highlights_core.UndoOffer
import uniffi.highlights_core.ViewState
import uniffi.highlights_ffi.HttpTransport
import uniffi.highlights_ffi.HighlightsApp
import uniffi.highlights_ffi.HighlightsException
import uniffi.highlights_ffi.ShellException
import uniffi.highlights_ffi.StateObserver
import uniffi.highlights_ffi.TokenProvider

/**
 * The Highlights feature for one signed-in seller, the Kotlin way: a [StateFlow] per screen,
 * a suspend function per seller event (each touches disk, so each runs on [Dispatchers.IO]), and
 * [close] tied to the lifecycle, which never blocks the calling thread.
 *
 * All logic lives in the Rust core; this class only forwards taps and publishes states.
 */
class HighlightsClient private constructor(private val app: HighlightsApp) : AutoCloseable {
    private val initial = app.view()
    private val _state = MutableStateFlow(initial)
    private val _screen = MutableStateFlow(initial.screen)
    private val _highlights = MutableStateFlow(initial.highlights)
    private val _onboarding = MutableStateFlow(initial.onboarding)
    private val _popup = MutableStateFlow(initial.popup)
    private val _module = MutableStateFlow(initial.module)
    private val _recording = MutableStateFlow(initial.recording)
    private val _sync = MutableStateFlow(initial.sync)
    private val _notice = MutableStateFlow(initial.notice)
    private val _undo = MutableStateFlow(initial.undo)
    private val _notifications = MutableStateFlow(initial.notifications)

    /** Every screen at once. */
    val state: StateFlow<ViewState> = _state.asStateFlow()
    /** Which screen is on top. */
    val screen: StateFlow<Screen> = _screen.asStateFlow()
    /** LIVE section → Products → Highlights: the toggle and the limits in force. */
    val highlights: StateFlow<HighlightsScreen> = _highlights.asStateFlow()
    /** The first-time onboarding overlay, or null. */
    val onboarding: StateFlow<OnboardingOverlay?> = _onboarding.asStateFlow()
    /** The pre-LIVE auto-post pop-up, or null. */
    val popup: StateFlow<AutoPostPopup?> = _popup.asStateFlow()
    /** The LIVE highlight module list. */
    val module: StateFlow<ModuleScreen> = _module.asStateFlow()
    /** The open recording, or null. */
    val recording: StateFlow<RecordingScreen?> = _recording.asStateFlow()
    /** Offline / last-updated indicator. */
    val sync: StateFlow<SyncIndicator> = _sync.asStateFlow()
    /** The oldest unread notice, or null. */
    val notice: StateFlow<Notice?> = _notice.asStateFlow()
    /** What happened to the seller's highlights, newest first (coalesced per recording). */
    val notifications: StateFlow<List<NotificationRow>> = _notifications.asStateFlow()
    /** The last "remove all" while it can still be undone, or null. */
    val undo: StateFlow<UndoOffer?> = _undo.asStateFlow()

    private val subscription: ULong = app.subscribe(object : StateObserver {
        override fun onState(state: ViewState) = publish(state)
    })

    private fun publish(s: ViewState) {
        // StateFlow drops equal values, so each screen's collectors wake only when it changed.
        _state.value = s
        _screen.value = s.screen
        _highlights.value = s.highlights
        _onboarding.value = s.onboarding
        _popup.value = s.popup
        _module.value = s.module
        _recording.value = s.recording
        _sync.value = s.sync
        _notice.value = s.notice
        _undo.value = s.undo
        _notifications.value = s.notifications
    }

    /** Forwards a seller event; throws [HighlightsException] when the core refuses it. */
    suspend fun dispatch(event: Event) = withContext(Dispatchers.IO) { app.dispatch(event) }

    /** Products → Highlights. */
    suspend fun openHighlights() = dispatch(Event.OpenHighlights)
    /** Opens the LIVE highlight module. */
    suspend fun openModule() = dispatch(Event.OpenModule)
    /** Next page of recordings. */
    suspend fun loadMoreRecordings() = dispatch(Event.LoadMoreRecordings)
    /** Opens one recording. */
    suspend fun openRecording(id: String) = dispatch(Event.OpenRecording(id))
    /** System back: closes an overlay (the pop-up as its X), else goes back one screen. */
    suspend fun back() = dispatch(Event.Back)
    /** Flips the toggle (the first turn-on shows onboarding). */
    suspend fun setToggle(on: Boolean) = dispatch(Event.SetToggle(on))
    /** Confirms onboarding: on, and into the module. */
    suspend fun confirmOnboarding() = dispatch(Event.ConfirmOnboarding)
    /** Closes onboarding: stays off. */
    suspend fun dismissOnboarding() = dispatch(Event.DismissOnboarding)
    /** The shopping bag before going LIVE (may show the pop-up). */
    suspend fun shoppingBagTapped() = dispatch(Event.ShoppingBagTapped)
    /** "Turn on" in the pre-LIVE pop-up. */
    suspend fun popupTurnOn() = dispatch(Event.PopupTurnOn)
    /** "X" in the pre-LIVE pop-up. */
    suspend fun popupDismiss() = dispatch(Event.PopupDismiss)
    /** Posts a recommendation of the open recording. */
    suspend fun postRecommendation(highlightId: String) = dispatch(Event.PostRecommendation(highlightId))
    /** Takes a posted or scheduled highlight down. */
    suspend fun removeHighlight(highlightId: String) = dispatch(Event.RemoveHighlight(highlightId))
    /** Cuts a shoppable video from the recording. */
    suspend fun createVideo(recordingId: String, startMs: Long, endMs: Long, productId: String) =
        dispatch(Event.CreateVideo(recordingId, startMs, endMs, productId))
    /** Removes every auto-posted highlight of [recordingId], or of every recording with null; undoable for a few seconds. */
    suspend fun removeAllHighlights(recordingId: String?) = dispatch(Event.RemoveAllHighlights(recordingId))
    /** "Ask me before posting" on or off. */
    suspend fun setReviewBeforePosting(on: Boolean) = dispatch(Event.SetReviewBeforePosting(on))
    /** Puts the auto-post bar learned from the seller back to the usual one, from their next LIVE on. */
    suspend fun resetPostingBar() = dispatch(Event.ResetPostingBar)
    /** Approves an auto-post waiting for review: it posts at its post time. */
    suspend fun approveHighlight(highlightId: String) = dispatch(Event.ApproveHighlight(highlightId))
    /** Which LIVEs get highlights: only those showing one of [productIds]; empty means every shoppable LIVE. */
    suspend fun setOnlyProducts(productIds: List<String>) = dispatch(Event.SetOnlyProducts(productIds))
    /** Before going LIVE: highlights on or off for the next LIVE only. */
    suspend fun setNextLiveHighlights(on: Boolean) = dispatch(Event.SetNextLiveHighlights(on))
    /** Switches highlights on or off for one recording (off cancels its scheduled posts). */
    suspend fun setLiveHighlights(recordingId: String, on: Boolean) = dispatch(Event.SetLiveHighlights(recordingId, on))
    /** Takes back the last "remove all" while it still waits on the device. */
    suspend fun undoRemoveAll() = dispatch(Event.UndoRemoveAll)
    /** The seller read (or swiped away) a notification. */
    suspend fun dismissNotification(id: Long) = dispatch(Event.DismissNotification(id))
    /** The seller read the notice. */
    suspend fun dismissNotice(id: Long) = dispatch(Event.DismissNotice(id))

    /**
     * Dismisses the banners about posts of [recordingId] (of every recording with null): after a
     * "remove all" they no longer hold. Video failures and take-downs stay.
     */
    suspend fun dismissPostNotifications(recordingId: String?) {
        notifications.value
            .filter { (recordingId == null || it.recordingId == recordingId) && it.kind in listOf(NotificationKind.SCHEDULED, NotificationKind.POSTED) }
            .forEach { dismissNotification(it.id) }
    }

    /**
     * The bytes of a media URL from the view (thumbnail, storyboard, video), with the seller's
     * token when it is on the API's host. Throws [HighlightsException].
     */
    suspend fun media(url: String): ByteArray = withContext(Dispatchers.IO) { app.media(url) }

    /** The recording's frames so far, strip by strip (empty before any of it arrived), for the clip editor. */
    suspend fun recordingStoryboard(recordingId: String): RecordingStoryboard =
        withContext(Dispatchers.IO) { app.recordingStoryboard(recordingId) }

    /** Pushes queued actions and pulls changes; cancelling the coroutine cancels the sync. */
    suspend fun syncNow(): SyncReport = app.sync()

    /** Keeps data fresh while a screen is visible. */
    fun startBackgroundSync() = app.startBackgroundSync()

    /** Pull-to-refresh. */
    fun refresh() = app.refreshNow()

    /** Abandons the background sync in flight. */
    fun cancelSync() = app.cancelSync()

    private val closed = AtomicBoolean(false)

    /**
     * Stops sync and waits for it to wind down, then releases the core; for callers that can
     * suspend. The client is unusable afterwards.
     */
    suspend fun shutdown() {
        if (!closed.compareAndSet(false, true)) return
        app.unsubscribe(subscription)
        app.shutdown()
        app.destroy()
    }

    /**
     * Releases the core without waiting: safe on the main thread (lifecycle callbacks). The sync
     * in flight is abandoned, never what the seller did, which is already in the outbox. Calls
     * still running finish first; the client is unusable afterwards.
     */
    override fun close() {
        if (!closed.compareAndSet(false, true)) return
        app.unsubscribe(subscription)
        // Dropping the Rust object stops its runtime in the background; nothing here blocks.
        app.destroy()
    }

    companion object {
        /**
         * The seller [token] speaks for at the backend at [baseUrl] (https, or http to this
         * computer), before any cache is opened. Throws [HighlightsException.Auth] when refused.
         * Nothing is stored: the caller keeps the token where the OS keeps secrets.
         */
        suspend fun signIn(baseUrl: String, token: String, transport: HttpTransport? = null): String =
            uniffi.highlights_ffi.signIn(baseUrl, token, transport)

        /**
         * Opens the Highlights core for [sellerId], caching in [dbPath], syncing with [baseUrl]
         * through [transport] (a phone's: `OkHttpTransport`; null: the library's own stack, which
         * only the PC app's library has). [token] is asked before every request; return null when
         * signed out.
         */
        fun open(
            dbPath: String,
            sellerId: String,
            baseUrl: String,
            transport: HttpTransport? = null,
            token: () -> String?,
        ): HighlightsClient {
            val provider = object : TokenProvider {
                override fun token(): String = token() ?: throw ShellException.Failed("signed out")
            }
            return HighlightsClient(HighlightsApp(dbPath, sellerId, baseUrl, provider, transport))
        }
    }
}
