//! `JSON.parse`'s engine (mrbgem/src/json.c builds the values; the
//! generator is Ruby, mrbgem/mrblib/json.rb, so that `to_json` methods a
//! script defines take part).
//!
//! serde_json reads the text into [`Document`], which keeps each object's
//! members in order (as CRuby's parser does) without a hash map: std's
//! hashers seed themselves from WASI `random_get`, which the host does not
//! offer.

use std::cell::RefCell;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::tape::{Tape, TooLarge};

/// CRuby's default `max_nesting`.
const MAX_NESTING: usize = 100;

const PARSED: i32 = 0;
const PARSER_ERROR: i32 = 1;
const NESTING_ERROR: i32 = 2;

/// The last parse: the document the tape points into, or the error.
#[derive(Default)]
struct Parse {
    document: Option<Document>,
    tape: Tape,
    error: String,
}

thread_local! {
    static PARSE: RefCell<Parse> = RefCell::new(Parse::default());
}

/// Why a document was refused.
enum Refusal {
    Syntax(String),
    Nesting(usize),
}

/// Parses the `len` bytes at `text`. On success `*items`/`*count` are the
/// tape of the value (object keys as Symbols when `symbolize_names` is set);
/// otherwise `*message`/`*message_len` say why. Both stay valid until the
/// next call or [`kobako_json_release`].
///
/// # Safety
/// `text` points to `len` readable bytes; the out-pointers are valid.
#[no_mangle]
unsafe extern "C" fn kobako_json_parse(
    text: *const u8,
    len: usize,
    symbolize_names: i32,
    items: *mut *const crate::tape::TapeItem,
    count: *mut usize,
    message: *mut *const u8,
    message_len: *mut usize,
) -> i32 {
    // SAFETY: the caller passes `len` readable bytes at `text`.
    let text = unsafe { std::slice::from_raw_parts(text, len) };
    PARSE.with_borrow_mut(|parse| {
        *parse = Parse::default();
        let status = match parse.load(text, symbolize_names != 0) {
            Ok(()) => PARSED,
            Err(Refusal::Syntax(error)) => {
                parse.error = error;
                PARSER_ERROR
            }
            Err(Refusal::Nesting(depth)) => {
                parse.error = format!("nesting of {depth} is too deep");
                NESTING_ERROR
            }
        };
        // SAFETY: the caller passes valid out-pointers; what they point to
        // stays alive in PARSE until the next call.
        unsafe {
            *items = parse.tape.as_ptr();
            *count = parse.tape.len();
            *message = parse.error.as_ptr();
            *message_len = parse.error.len();
        }
        status
    })
}

/// Lets go of the last parse once its value is built.
#[no_mangle]
extern "C" fn kobako_json_release() {
    PARSE.with_borrow_mut(|parse| *parse = Parse::default());
}

impl Parse {
    fn load(&mut self, text: &[u8], symbolize_names: bool) -> Result<(), Refusal> {
        let document: Document = serde_json::from_slice(text).map_err(|e| refusal(text, &e))?;
        let document = self.document.insert(document);
        let mut tape = Tape::default();
        flatten(&mut tape, document, symbolize_names, 0)?;
        self.tape = tape;
        Ok(())
    }
}

/// A parsed JSON text.
enum Document {
    Null,
    Bool(bool),
    Int(i64),
    /// An integer beyond `i64` (up to `u64::MAX`), in decimal.
    BigInt(String),
    Float(f64),
    Str(String),
    Array(Vec<Document>),
    Object(Vec<(String, Document)>),
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DocumentVisitor)
    }
}

struct DocumentVisitor;

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = Document;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Document, E> {
        Ok(Document::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Document, E> {
        Ok(Document::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Document, E> {
        Ok(Document::Int(i))
    }

    fn visit_u64<E>(self, u: u64) -> Result<Document, E> {
        Ok(i64::try_from(u).map_or_else(|_| Document::BigInt(u.to_string()), Document::Int))
    }

    fn visit_f64<E>(self, f: f64) -> Result<Document, E> {
        Ok(Document::Float(f))
    }

    fn visit_str<E>(self, s: &str) -> Result<Document, E> {
        Ok(Document::Str(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Document, E> {
        Ok(Document::Str(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Document, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Document::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
        let mut members = Vec::new();
        while let Some(member) = map.next_entry::<String, Document>()? {
            members.push(member);
        }
        Ok(Document::Object(members))
    }
}

fn flatten(
    tape: &mut Tape,
    value: &Document,
    symbolize: bool,
    depth: usize,
) -> Result<(), Refusal> {
    let too_large = |_: TooLarge| Refusal::Syntax("document too large".to_owned());
    match value {
        Document::Null => tape.nil().map_err(too_large),
        Document::Bool(b) => tape.bool(*b).map_err(too_large),
        Document::Int(i) => tape.int(*i).map_err(too_large),
        Document::BigInt(digits) => tape.decimal_integer(digits).map_err(too_large),
        Document::Float(f) => tape.float(*f).map_err(too_large),
        Document::Str(s) => tape.str(s).map_err(too_large),
        Document::Array(items) => {
            nested(depth)?;
            tape.array(items.len()).map_err(too_large)?;
            items
                .iter()
                .try_for_each(|item| flatten(tape, item, symbolize, depth + 1))
        }
        Document::Object(members) => {
            nested(depth)?;
            tape.hash(members.len()).map_err(too_large)?;
            members.iter().try_for_each(|(key, item)| {
                if symbolize {
                    tape.symbol(key).map_err(too_large)?;
                } else {
                    tape.str(key).map_err(too_large)?;
                }
                flatten(tape, item, symbolize, depth + 1)
            })
        }
    }
}

fn nested(depth: usize) -> Result<(), Refusal> {
    if depth >= MAX_NESTING {
        return Err(Refusal::Nesting(depth + 1));
    }
    Ok(())
}

/// serde_json's own nesting limit (128) is a nesting error too; anything
/// else is reported as CRuby does, with the text from where it went wrong.
fn refusal(text: &[u8], error: &serde_json::Error) -> Refusal {
    let message = error.to_string();
    if message.starts_with("recursion limit exceeded") {
        return Refusal::Nesting(MAX_NESTING + 1);
    }
    let rest = offset_of(text, error.line(), error.column()).map_or(&[][..], |at| &text[at..]);
    let rest = String::from_utf8_lossy(&rest[..rest.len().min(32)]);
    if text.iter().all(u8::is_ascii_whitespace) {
        return Refusal::Syntax("unexpected end of input".to_owned());
    }
    Refusal::Syntax(format!("unexpected token at '{rest}'"))
}

/// The byte offset of serde_json's (1-based) line and column, pointing at
/// the byte that could not be read.
fn offset_of(text: &[u8], line: usize, column: usize) -> Option<usize> {
    let line_start = if line <= 1 {
        0
    } else {
        text.iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(line - 2)
            .map(|(i, _)| i + 1)?
    };
    Some((line_start + column.saturating_sub(1)).min(text.len()))
}
