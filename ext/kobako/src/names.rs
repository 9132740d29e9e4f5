//! The guest's names (of namespaces, members and methods) as the host's
//! Symbols, without making any.
//!
//! Ruby's own lookup (`rb_check_symbol_cstr`) hashes the name and checks its
//! encoding: ~1,300 instructions, three times in every service call. The
//! few names a guest calls are remembered per thread once found, and only
//! those Ruby never frees (static or pinned Symbols), so a remembered
//! value stays valid without being marked.

use std::cell::RefCell;
use std::os::raw::c_long;

use magnus::rb_sys::FromRawValue;
use magnus::value::ReprValue;
use magnus::{Ruby, StaticSymbol};

/// Most names remembered per thread: the names one program calls, with
/// room to spare. Past that a new name takes the place of the oldest, so a
/// guest that names many (of the Symbols the host has) costs other
/// sandboxes on the thread Ruby's lookup for a while, never an answer.
const CAPACITY: usize = 64;

/// The names remembered on one thread, and the slot the next one takes
/// once all are used.
struct Remembered {
    names: Vec<(Box<str>, StaticSymbol)>,
    next: usize,
}

thread_local! {
    static REMEMBERED: RefCell<Remembered> = const {
        RefCell::new(Remembered { names: Vec::new(), next: 0 })
    };
}

/// The Symbol Ruby already has for `name`, or else a String of it. A name
/// no Symbol has cannot be a bound service or any method, so the
/// dispatcher refuses it, and a hostile guest's made-up names never become
/// Symbols.
pub fn existing_name(ruby: &Ruby, name: &str) -> magnus::Value {
    match existing_symbol(name) {
        Some(symbol) => symbol,
        None => ruby.str_new(name).as_value(),
    }
}

/// The Symbol Ruby already has for `name`, if any.
fn existing_symbol(name: &str) -> Option<magnus::Value> {
    let remembered = REMEMBERED.with_borrow(|known| {
        known
            .names
            .iter()
            .find(|(known, _)| **known == *name)
            .map(|(_, symbol)| symbol.as_value())
    });
    if remembered.is_some() {
        return remembered;
    }
    let symbol = lookup(name)?;
    if let Some(permanent) = StaticSymbol::from_value(symbol) {
        REMEMBERED.with_borrow_mut(|known| known.remember(name, permanent));
    }
    Some(symbol)
}

impl Remembered {
    fn remember(&mut self, name: &str, symbol: StaticSymbol) {
        let entry = (name.into(), symbol);
        if self.names.len() < CAPACITY {
            self.names.push(entry);
        } else {
            self.names[self.next] = entry;
            self.next = (self.next + 1) % CAPACITY;
        }
    }
}

/// Ruby's symbol table asked for `name`; nothing is interned.
fn lookup(name: &str) -> Option<magnus::Value> {
    let length = c_long::try_from(name.len()).unwrap_or(c_long::MAX);
    // An empty str's pointer is dangling (Rust's placeholder, 0x1), which
    // Ruby reads even for no bytes: it would crash the process.
    let bytes = if name.is_empty() { "\0" } else { name };
    // SAFETY: `bytes` points to `length` valid UTF-8 bytes (a Rust str; for
    // an empty name a real one-byte string read for no bytes), alive for
    // the call; rb_check_symbol_cstr only looks the bytes up in Ruby's
    // symbol table (it raises only for bytes invalid in the encoding, which
    // UTF-8 text is not); the GVL is held (every caller runs as Ruby code
    // or inside `gvl::with_gvl`).
    let symbol = unsafe {
        rb_sys::rb_check_symbol_cstr(bytes.as_ptr().cast(), length, rb_sys::rb_utf8_encoding())
    };
    // SAFETY: a Symbol (or nil) Ruby just returned, reachable from its
    // symbol table for as long as this call's caller uses it.
    let symbol = unsafe { magnus::Value::from_raw(symbol) };
    (!symbol.is_nil()).then_some(symbol)
}
