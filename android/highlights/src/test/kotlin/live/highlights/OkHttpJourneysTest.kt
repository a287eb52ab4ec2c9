package live.highlights

import uniffi.highlights_ffi.HttpTransport

/** Every seller journey again, over the phone's network stack (OkHttp) instead of the library's. */
class OkHttpJourneysTest : JourneysTest() {
    override fun transport(): HttpTransport = OkHttpTransport()
}
