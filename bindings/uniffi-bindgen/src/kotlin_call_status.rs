//! Makes every Kotlin → Rust call pass its `RustCallStatus` as plain native memory instead of a JNA
//! `Structure`.
//!
//! uniffi 0.32's Kotlin bindings allocate a `Structure` per call and JNA marshals it field by field
//! through reflection before and after the call: about 21 µs of a 21 µs no-op call, where a bare
//! direct-mapped call costs under 0.1 µs (`scripts/bench-kotlin.sh` prints all three). This pass
//! rewrites the generated helpers to reuse per-thread native slots (a stack, so a callback that
//! calls back into Rust on the same thread gets its own) and to read the status only when its code
//! says the call failed. The C layout is uniffi's: `{ i8 code; RustBuffer { u64 capacity; u64 len;
//! u8* data } }`, 32 bytes. uniffi is pinned (`=0.32.2`); a generated file that no longer has the
//! exact text rewritten here is an error, never a silent no-op.

/// What `uniffiRustCallWithError` looks like as uniffi 0.32.2 generates it.
const HELPER: &str = "private inline fun <U, E: kotlin.Exception> uniffiRustCallWithError(errorHandler: UniffiRustCallStatusErrorHandler<E>, callback: (UniffiRustCallStatus) -> U): U {
    var status = UniffiRustCallStatus()
    val return_value = callback(status)
    uniffiCheckCallStatus(errorHandler, status)
    return return_value
}";

/// The replacement: a per-thread stack of native status slots, read back only on failure.
const FAST_HELPER: &str = "// Rewritten by this workspace's uniffi-bindgen (kotlin_call_status.rs): the call status lives in
// reused native memory, not in a JNA Structure marshalled by reflection on every call.
private class UniffiCallStatusSlots {
    private val slots = ArrayList<com.sun.jna.Memory>()
    private var depth = 0

    fun push(): Pointer {
        if (depth == slots.size) slots.add(com.sun.jna.Memory(32))
        val slot = slots[depth++]
        slot.clear()
        return slot
    }

    fun pop() { depth-- }
}

private val uniffiCallStatusSlots = ThreadLocal.withInitial { UniffiCallStatusSlots() }

private fun uniffiReadCallStatus(slot: Pointer): UniffiRustCallStatus {
    val status = UniffiRustCallStatus()
    status.code = slot.getByte(0)
    status.error_buf = RustBuffer.ByValue().also { buf ->
        buf.capacity = slot.getLong(8)
        buf.len = slot.getLong(16)
        buf.data = slot.getPointer(24)
    }
    return status
}

private inline fun <U, E: kotlin.Exception> uniffiRustCallWithError(errorHandler: UniffiRustCallStatusErrorHandler<E>, callback: (Pointer) -> U): U {
    val slots = uniffiCallStatusSlots.get()
    val slot = slots.push()
    try {
        val return_value = callback(slot)
        if (slot.getByte(0) != UNIFFI_CALL_SUCCESS) uniffiCheckCallStatus(errorHandler, uniffiReadCallStatus(slot))
        return return_value
    } finally {
        slots.pop()
    }
}";

/// Textual rewrites besides the helper: (what uniffi generates, what it becomes, at least how often).
const REWRITES: [(&str, &str, usize); 3] = [
    (
        "private inline fun <U> uniffiRustCall(callback: (UniffiRustCallStatus) -> U): U {",
        "private inline fun <U> uniffiRustCall(callback: (Pointer) -> U): U {",
        1,
    ),
    ("uniffi_out_err: UniffiRustCallStatus,", "uniffi_out_err: Pointer,", 1),
    ("completeFunc: (Long, UniffiRustCallStatus) -> F,", "completeFunc: (Long, Pointer) -> F,", 0),
];

/// Why a generated file could not be rewritten.
#[derive(Debug, PartialEq, Eq)]
pub struct Unrecognised(pub String);

impl std::fmt::Display for Unrecognised {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "generated Kotlin not as expected (uniffi changed?): {}", self.0)
    }
}

/// Rewrites one generated Kotlin file; `Ok(None)` for a file without uniffi call helpers.
pub fn rewrite(source: &str) -> Result<Option<String>, Unrecognised> {
    if !source.contains("uniffiRustCallWithError") {
        return Ok(None);
    }
    if source.contains("UniffiCallStatusSlots") {
        return Ok(Some(source.to_string()));
    }
    if source.matches(HELPER).count() != 1 {
        return Err(Unrecognised("uniffiRustCallWithError".into()));
    }
    if !source.contains("internal const val UNIFFI_CALL_SUCCESS = 0.toByte()") {
        return Err(Unrecognised("UNIFFI_CALL_SUCCESS".into()));
    }
    let mut out = source.replace(HELPER, FAST_HELPER);
    for (from, to, at_least) in REWRITES {
        if out.matches(from).count() < at_least {
            return Err(Unrecognised(from.into()));
        }
        out = out.replace(from, to);
    }
    // Every external function now takes the slot; a Structure parameter left over would be
    // marshalled from a Pointer and crash at run time, so refuse instead.
    if out.lines().any(|l| l.contains("external fun") && l.contains(": UniffiRustCallStatus")) {
        return Err(Unrecognised("an external fun still takes UniffiRustCallStatus".into()));
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generated() -> String {
        format!(
            "internal const val UNIFFI_CALL_SUCCESS = 0.toByte()\n{HELPER}\n\
             private inline fun <U> uniffiRustCall(callback: (UniffiRustCallStatus) -> U): U {{\n}}\n\
             external fun f(`ptr`: Long,uniffi_out_err: UniffiRustCallStatus, \n): Unit\n\
             completeFunc: (Long, UniffiRustCallStatus) -> F,\n"
        )
    }

    #[test]
    fn rewrites_the_helper_the_externals_and_the_async_completion() {
        let out = rewrite(&generated()).unwrap().unwrap();
        assert!(out.contains("UniffiCallStatusSlots"));
        assert!(out.contains("uniffi_out_err: Pointer,"));
        assert!(out.contains("callback: (Pointer) -> U): U {"));
        assert!(out.contains("completeFunc: (Long, Pointer) -> F,"));
        assert!(!out.contains("var status = UniffiRustCallStatus()"));
        assert_eq!(rewrite(&out).unwrap().unwrap(), out, "a second pass changes nothing");
    }

    #[test]
    fn files_without_helpers_are_left_alone_and_unknown_shapes_are_refused() {
        assert_eq!(rewrite("package x\n"), Ok(None));
        let changed = generated().replace("var status = UniffiRustCallStatus()", "val status = UniffiRustCallStatus()");
        assert!(rewrite(&changed).is_err());
        let left_over = generated() + "external fun g(uniffi_out_err: UniffiRustCallStatus)\n";
        assert!(rewrite(&left_over).is_err());
    }
}
