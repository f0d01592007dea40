// pick.rs: a rustc-built input for the source-map tests. No std and no core (this machine has no
// wasm32 Rust standard library), so it declares the few lang items integer code needs.
#![feature(no_core, lang_items)]
#![allow(internal_features)]
#![no_core]
#![no_std]

#[lang = "pointee_sized"]
pub trait PointeeSized {}
#[lang = "meta_sized"]
pub trait MetaSized: PointeeSized {}
#[lang = "sized"]
pub trait Sized: MetaSized {}
#[lang = "copy"]
pub trait Copy {}
impl Copy for i32 {}

mod inner {
    #[inline(never)]
    pub fn twice(v: i32) -> i32 {
        let w = v; // @twice-body

        w // @twice-ret
    }
}

#[no_mangle]
pub extern "C" fn pick(a: i32, b: i32) -> i32 {
    let c = inner::twice(a); // @pick-call
    let _d = b;
    c
}
