//! `Kobako::Native::Reflection`: what the reflection floor
//! (`lib/kobako/reflection_floor.rb`) asks on every guest call, answered by
//! Ruby's C API straight from the method tables, and the call of a
//! calling surface it allowed. The floor decides; these only read and
//! call. No object can answer for itself here (nothing is dispatched on
//! it), and one C function answers what four `UnboundMethod#bind_call`s of
//! `Module`'s methods did at ~1,000 instructions each.

use std::os::raw::c_int;
use std::sync::OnceLock;

use magnus::rb_sys::{protect, AsRawId, AsRawValue, FromRawValue};
use magnus::value::{IntoId, LazyId};
use magnus::{
    function, prelude::*, Error, RArray, RHash, RModule, Ruby, StaticSymbol, Symbol, Value,
};
use rb_sys::{ID, VALUE};

/// `rb_method_boundp`'s flags (Ruby's vm_method.c; unchanged since 2.x):
/// skip private methods; and with it, protected ones too, and look the
/// method up as a call from the caller's scope would (refinements active
/// there: none in the floor's file).
const BOUND_PRIVATE: c_int = 0x01;
const BOUND_RESPONDS: c_int = 0x02;

/// The ID a method named `name` would have, or `None` when no method can
/// have that name: a Symbol nothing interned as an ID yet. `rb_check_id`
/// never interns (a guest's random names must not become immortal IDs).
fn method_id(name: Symbol) -> Option<ID> {
    let mut raw = name.as_raw();
    // SAFETY: `raw` is a Symbol (the type says so), for which rb_check_id
    // only reads the symbol table and never raises; the GVL is held (this
    // runs as a Ruby method).
    let id = unsafe { rb_sys::rb_check_id(&raw mut raw) };
    (id != 0).then_some(id)
}

fn bound(table: VALUE, id: ID, flags: c_int) -> c_int {
    // SAFETY: `table` is a class (an object's own, from its header) and
    // `id` an interned ID; rb_method_boundp only searches the ancestry's
    // method tables and never raises; the GVL is held.
    unsafe { rb_sys::rb_method_boundp(table, id, flags) }
}

/// `Module#public_method_defined?`: a public method is found along
/// `table`'s ancestry (not one Ruby marks "not implemented" on this
/// platform). Both lookups must agree: the plain one (neither private nor
/// not implemented) and the caller's-scope one (public).
fn public_in(table: VALUE, id: ID) -> bool {
    bound(table, id, BOUND_PRIVATE) == 1 && bound(table, id, BOUND_PRIVATE | BOUND_RESPONDS) == 1
}

/// The facts [`facts`] reports, as bits (their one definition: Ruby reads
/// them as constants of `Kobako::Native::Reflection`).
const PUBLIC: u32 = 1;
const CALLABLE: u32 = 2;
const GATED: u32 = 4;

static RESPOND_TO_GUEST: LazyId = LazyId::new("respond_to_guest?");

/// What the floor asks about `object` on every call, as bits:
/// - `PUBLIC`: Ruby would find a public method `name` for it
///   (`public_method_defined?` of the class its methods are looked up in:
///   its singleton class when it has one, else its class, which answer the
///   same while no singleton class exists);
/// - `CALLABLE`: it is a Proc or a Method (`Proc === object || Method ===
///   object`: `rb_obj_is_kind_of`, the real class chain);
/// - `GATED`: it has a `respond_to_guest?` of any visibility.
fn facts(ruby: &Ruby, object: Value, name: Symbol) -> u32 {
    let table = object.class().as_raw();
    let mut facts = 0;
    if method_id(name).is_some_and(|id| public_in(table, id)) {
        facts |= PUBLIC;
    }
    if object.is_kind_of(ruby.class_proc()) || object.is_kind_of(ruby.class_method()) {
        facts |= CALLABLE;
    }
    if bound(
        table,
        LazyId::get_inner_with(&RESPOND_TO_GUEST, ruby).as_raw(),
        0,
    ) == 1
    {
        facts |= GATED;
    }
    facts
}

/// `object.public_send(name, *args, **kwargs)`, without asking `object`
/// how to send (it may override `public_send` and `__send__`): the call a
/// guest makes on a Proc's or Method's calling surface once the floor
/// allowed it. Only a public method runs (Ruby checks the visibility once
/// more); what it raises or throws passes through unchanged.
fn call_public(
    ruby: &Ruby,
    object: Value,
    name: Symbol,
    args: RArray,
    kwargs: Option<RHash>,
) -> Result<Value, Error> {
    let Some(id) = method_id(name) else {
        return Err(Error::new(
            ruby.exception_no_method_error(),
            "no such method",
        ));
    };
    // SAFETY: the slice is copied at once, before any Ruby code runs; the
    // values stay alive meanwhile, held by `args` (an argument of this
    // method, so on the caller's Ruby stack).
    let mut argv: Vec<VALUE> = unsafe { args.as_slice() }
        .iter()
        .map(|v| v.as_raw())
        .collect();
    if let Some(kwargs) = kwargs {
        argv.push(kwargs.as_raw());
    }
    call_public_raw(ruby, object, id, &argv, kwargs.is_some())
}

/// Calls the public method `id` of `object` with `argv`, whose last value
/// is the keywords Hash when `keywords`. The values must be kept alive by
/// the caller (on its stack or in a Ruby object it holds).
pub fn call_public_raw(
    ruby: &Ruby,
    object: Value,
    id: ID,
    argv: &[VALUE],
    keywords: bool,
) -> Result<Value, Error> {
    let count = c_int::try_from(argv.len())
        .map_err(|_| Error::new(ruby.exception_arg_error(), "too many arguments"))?;
    let result = protect(|| {
        // SAFETY: `argv` holds `count` live values (the caller keeps them)
        // and outlives the call, which copies them onto Ruby's stack first;
        // `protect` catches whatever Ruby raises or throws, so nothing
        // unwinds over this frame.
        unsafe {
            rb_sys::rb_funcallv_public_kw(
                object.as_raw(),
                id,
                count,
                argv.as_ptr(),
                c_int::from(keywords),
            )
        }
    })?;
    // SAFETY: a value Ruby just returned, on its way back to Ruby.
    Ok(unsafe { Value::from_raw(result) })
}

/// The names of a Proc's or Method's calling surface the floor lets a
/// guest call (`ReflectionFloor::CALLING_SURFACE`), read once the floor is
/// loaded (Ruby's dispatcher loads it at the first service call).
static CALLING_SURFACE: OnceLock<Vec<ID>> = OnceLock::new();
static REFLECTION_FLOOR: LazyId = LazyId::new("ReflectionFloor");

fn calling_surface(ruby: &Ruby) -> Option<&'static [ID]> {
    if CALLING_SURFACE.get().is_none() {
        // Read outside the lock: nothing here may wait for another thread
        // while this one holds the GVL.
        let _ = CALLING_SURFACE.set(loaded_calling_surface(ruby)?);
    }
    CALLING_SURFACE.get().map(Vec::as_slice)
}

/// `ReflectionFloor::CALLING_SURFACE` once the floor is loaded; `None`
/// before (an autoload is still registered, or under way on another
/// thread), so that reading it never runs Ruby code (a file's load, which
/// may raise or switch threads).
fn loaded_calling_surface(ruby: &Ruby) -> Option<Vec<ID>> {
    let kobako: RModule = ruby.class_object().const_get("Kobako").ok()?;
    let floor = LazyId::get_inner_with(&REFLECTION_FLOOR, ruby);
    // SAFETY: `kobako` is a module and `floor` an interned ID; rb_autoload_p
    // only reads the module's constant table and autoload state (it runs no
    // Ruby code and does not raise); the GVL is held.
    let pending = unsafe { rb_sys::rb_autoload_p(kobako.as_raw(), floor.as_raw()) };
    if pending != rb_sys::Qnil as VALUE {
        return None;
    }
    let names: RArray = kobako
        .const_get::<_, RModule>(floor)
        .ok()?
        .const_get("CALLING_SURFACE")
        .ok()?;
    names
        .into_iter()
        .map(|name| Some(StaticSymbol::from_value(name)?.into_id_with(ruby).as_raw()))
        .collect()
}

/// The method a guest may call as `name` on `object` with no question left
/// to the application: `object` is a Proc or a Method, `name` one of its
/// calling surface and public for it, and it has no `respond_to_guest?`.
/// Then `ReflectionFloor.resolve` allows the call too (rules 1, 4 and 5;
/// `test/native_reflection_test.rb` checks the two agree); `None` leaves
/// the question to it.
pub fn plain_calling_surface(ruby: &Ruby, object: Value, name: Symbol) -> Option<ID> {
    let id = method_id(name)?;
    (calling_surface(ruby)?.contains(&id) && facts(ruby, object, name) == PUBLIC | CALLABLE)
        .then_some(id)
}

fn plain_calling_surface_p(ruby: &Ruby, object: Value, name: Symbol) -> bool {
    plain_calling_surface(ruby, object, name).is_some()
}

pub fn init(ruby: &Ruby) -> Result<(), Error> {
    let reflection = ruby
        .define_module("Kobako")?
        .define_module("Native")?
        .define_module("Reflection")?;
    reflection.const_set("PUBLIC", PUBLIC)?;
    reflection.const_set("CALLABLE", CALLABLE)?;
    reflection.const_set("GATED", GATED)?;
    reflection.define_singleton_method("facts", function!(facts, 2))?;
    reflection.define_singleton_method("call_public", function!(call_public, 4))?;
    reflection.define_singleton_method(
        "plain_calling_surface?",
        function!(plain_calling_surface_p, 2),
    )?;
    Ok(())
}
