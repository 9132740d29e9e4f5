//! `Kobako::Native::Reflection`: the questions the reflection floor
//! (`lib/kobako/reflection_floor.rb`) puts on every guest call, answered by
//! Ruby's C API straight from the method tables. The floor decides; these
//! only read. Asking them through `UnboundMethod#bind_call` of `Module`'s
//! methods (so no object could answer for itself) cost ~1,000 instructions
//! each; a C function asked directly cannot be overridden by anyone and
//! costs a fraction of that.

use std::os::raw::c_int;

use magnus::rb_sys::AsRawValue;
use magnus::rb_sys::{protect, FromRawValue};
use magnus::{function, prelude::*, Error, RArray, RClass, RHash, RModule, Ruby, Symbol, Value};
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

/// A class or module to look methods up in (a singleton class is a class).
fn method_table(ruby: &Ruby, table: Value) -> Result<VALUE, Error> {
    if let Some(class) = RClass::from_value(table) {
        return Ok(class.as_raw());
    }
    if let Some(module) = RModule::from_value(table) {
        return Ok(module.as_raw());
    }
    Err(Error::new(
        ruby.exception_type_error(),
        "expected a class or module",
    ))
}

fn bound(table: VALUE, id: ID, flags: c_int) -> c_int {
    // SAFETY: `table` is a class or module (checked by `method_table`) and
    // `id` an interned ID; rb_method_boundp only searches the ancestry's
    // method tables and never raises; the GVL is held.
    unsafe { rb_sys::rb_method_boundp(table, id, flags) }
}

/// `Module#public_method_defined?(name)` of `table`: a public method
/// `name` is found along its ancestry (not one Ruby marks "not
/// implemented" on this platform). Both lookups must agree: the plain one
/// (neither private nor not-implemented) and the caller's-scope one
/// (public).
fn public_method(ruby: &Ruby, table: Value, name: Symbol) -> Result<bool, Error> {
    let table = method_table(ruby, table)?;
    Ok(method_id(name).is_some_and(|id| {
        bound(table, id, BOUND_PRIVATE) == 1
            && bound(table, id, BOUND_PRIVATE | BOUND_RESPONDS) == 1
    }))
}

/// Whether `table` has a method `name` of any visibility (public,
/// protected or private) along its ancestry.
fn any_method(ruby: &Ruby, table: Value, name: Symbol) -> Result<bool, Error> {
    let table = method_table(ruby, table)?;
    Ok(method_id(name).is_some_and(|id| bound(table, id, 0) == 1))
}

/// `Proc === object || Method === object`, asked of the object's real
/// class chain (`rb_obj_is_kind_of`, what `Module#===` calls).
fn callable(ruby: &Ruby, object: Value) -> bool {
    object.is_kind_of(ruby.class_proc()) || object.is_kind_of(ruby.class_method())
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
    let count = c_int::try_from(argv.len())
        .map_err(|_| Error::new(ruby.exception_arg_error(), "too many arguments"))?;
    // The last argument is the keywords Hash exactly when there are some.
    let keywords = c_int::from(kwargs.is_some());
    let result = protect(|| {
        // SAFETY: `argv` holds `count` live values (above) and outlives the
        // call, which copies them onto Ruby's stack first; `protect` catches
        // whatever Ruby raises or throws, so nothing unwinds over this frame.
        unsafe {
            rb_sys::rb_funcallv_public_kw(object.as_raw(), id, count, argv.as_ptr(), keywords)
        }
    })?;
    // SAFETY: a value Ruby just returned, on its way back to Ruby.
    Ok(unsafe { Value::from_raw(result) })
}

pub fn init(ruby: &Ruby) -> Result<(), Error> {
    let reflection = ruby
        .define_module("Kobako")?
        .define_module("Native")?
        .define_module("Reflection")?;
    reflection.define_singleton_method("public_method?", function!(public_method, 2))?;
    reflection.define_singleton_method("any_method?", function!(any_method, 2))?;
    reflection.define_singleton_method("callable?", function!(callable, 1))?;
    reflection.define_singleton_method("call_public", function!(call_public, 4))?;
    Ok(())
}
