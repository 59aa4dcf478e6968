//! One writing tab at a time (wasm32 only).
//!
//! Two tabs writing the same rosters would each plan changes against what
//! they loaded and overwrite each other's. So only the tab that holds the
//! Web Lock `name` writes; the others show the data read-only and are told
//! when they become the writer (the writing tab was closed).
//!
//! `navigator.locks` is called through `js_sys::Reflect`: web-sys's
//! `LockManager` needs `--cfg=web_sys_unstable_apis`. The lock is held by
//! returning, from the lock callback, a promise that resolves only on
//! [`WriterLock::release`] (or drop), so it lasts as long as the page.
//!
//! Where `navigator.locks` is missing (non-secure origin, very old browser)
//! this tab assumes it is the writer ([`LockKind::Assumed`]): there is
//! nothing to coordinate with, and refusing to work offline would be worse.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortController;

/// How the writer was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockKind {
    /// By the Web Locks API: at most one tab of this origin is the writer.
    WebLocks,
    /// No Web Locks here: this tab assumes it is the only one.
    Assumed,
}

type Listener = Box<dyn FnOnce()>;

struct Inner {
    kind: LockKind,
    is_writer: Cell<bool>,
    released: Cell<bool>,
    /// Resolving it ends the lock callback's promise: the lock is let go.
    let_go: Option<Function>,
    /// Cancels the queued request of a tab that is not the writer yet.
    queued: Option<AbortController>,
    /// Resolves when this tab becomes the writer.
    became_writer: Promise,
    became_writer_resolve: Option<Function>,
    listeners: RefCell<Vec<Listener>>,
}

impl Inner {
    fn become_writer(&self) {
        if self.released.get() || self.is_writer.replace(true) {
            return;
        }
        if let Some(resolve) = &self.became_writer_resolve {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
        for listener in self.listeners.take() {
            listener();
        }
    }

    fn release(&self) {
        if self.released.replace(true) {
            return;
        }
        self.is_writer.set(false);
        if let Some(let_go) = &self.let_go {
            let _ = let_go.call0(&JsValue::UNDEFINED);
        }
        if let Some(queued) = &self.queued {
            queued.abort();
        }
        self.listeners.take();
    }
}

/// This tab's claim to be the writer. Keep it for the page's lifetime:
/// dropping it (or [`WriterLock::release`]) lets another tab write.
pub struct WriterLock {
    inner: Rc<Inner>,
}

impl Drop for WriterLock {
    fn drop(&mut self) {
        self.inner.release();
    }
}

impl WriterLock {
    /// Whether this tab may write now.
    pub fn is_writer(&self) -> bool {
        self.inner.is_writer.get()
    }

    pub fn kind(&self) -> LockKind {
        self.inner.kind
    }

    /// Calls `f` once when this tab becomes the writer (at once if it is).
    pub fn on_writer(&self, f: impl FnOnce() + 'static) {
        if self.is_writer() {
            f();
        } else if !self.inner.released.get() {
            self.inner.listeners.borrow_mut().push(Box::new(f));
        }
    }

    /// Resolves when this tab is the writer (at once if it is). Never
    /// resolves after release.
    pub async fn writer(&self) {
        if !self.is_writer() {
            let _ = JsFuture::from(self.inner.became_writer.clone()).await;
        }
    }

    /// Lets go of the lock (or of the place in the queue for it).
    pub fn release(self) {
        self.inner.release();
    }
}

/// A promise and the function that resolves it.
fn promise_with_resolve() -> (Promise, Function) {
    let mut resolve_fn = None;
    let promise = Promise::new(&mut |resolve, _reject| resolve_fn = Some(resolve));
    (
        promise,
        resolve_fn.expect("Promise::new runs its executor at once"),
    )
}

/// `navigator.locks` and its `request` method, if this browser has them.
fn lock_manager() -> Option<(JsValue, Function)> {
    let navigator = web_sys::window()?.navigator();
    let locks = Reflect::get(&navigator, &"locks".into()).ok()?;
    if locks.is_undefined() || locks.is_null() {
        return None;
    }
    let request = Reflect::get(&locks, &"request".into())
        .ok()?
        .dyn_into()
        .ok()?;
    Some((locks, request))
}

/// Waits for `promise` in the background, ignoring how it ends (a queued
/// request cancelled by release rejects with `AbortError`).
fn settle_quietly(promise: JsValue) {
    if let Ok(promise) = promise.dyn_into::<Promise>() {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = JsFuture::from(promise).await;
        });
    }
}

/// A lock held by nobody: this tab writes.
fn assumed_writer() -> WriterLock {
    WriterLock {
        inner: Rc::new(Inner {
            kind: LockKind::Assumed,
            is_writer: Cell::new(true),
            released: Cell::new(false),
            let_go: None,
            queued: None,
            became_writer: Promise::resolve(&JsValue::UNDEFINED),
            became_writer_resolve: None,
            listeners: RefCell::default(),
        }),
    }
}

/// Asks to be the writer for `name` (one name per app, e.g.
/// "lindung-writer"). Answers at once whether this tab is the writer; if
/// not, it queues, and [`WriterLock::on_writer`] / [`WriterLock::writer`]
/// tell when the lock comes free.
pub async fn acquire_writer(name: &str) -> WriterLock {
    let Some((locks, request)) = lock_manager() else {
        return assumed_writer();
    };
    // Returned from the lock callback: the lock is held until it resolves.
    let (held, let_go) = promise_with_resolve();

    // First: only if nobody holds it now.
    let (answer, answer_resolve) = promise_with_resolve();
    let held_now = held.clone();
    let callback = Closure::once_into_js(move |lock: JsValue| -> JsValue {
        let granted = !lock.is_null();
        let _ = answer_resolve.call1(&JsValue::UNDEFINED, &JsValue::from_bool(granted));
        if granted {
            held_now.into()
        } else {
            JsValue::UNDEFINED
        }
    });
    let options = Object::new();
    let _ = Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE);
    match request.call3(
        &locks,
        &JsValue::from_str(name),
        options.as_ref(),
        &callback,
    ) {
        Ok(promise) => settle_quietly(promise),
        // Refused outright (e.g. an opaque origin): nothing to coordinate with.
        Err(_) => return assumed_writer(),
    }
    let granted = JsFuture::from(answer)
        .await
        .map(|v| v.is_truthy())
        .unwrap_or(false);

    let (became_writer, became_writer_resolve) = promise_with_resolve();
    if granted {
        let _ = became_writer_resolve.call0(&JsValue::UNDEFINED);
    }
    let inner = Rc::new(Inner {
        kind: LockKind::WebLocks,
        is_writer: Cell::new(granted),
        released: Cell::new(false),
        let_go: Some(let_go),
        queued: if granted {
            None
        } else {
            AbortController::new().ok()
        },
        became_writer,
        became_writer_resolve: Some(became_writer_resolve),
        listeners: RefCell::default(),
    });
    if !granted {
        // Then: wait in line; granted when the writing tab closes or lets go.
        let weak: Weak<Inner> = Rc::downgrade(&inner);
        let callback = Closure::once_into_js(move |_lock: JsValue| -> JsValue {
            match weak.upgrade() {
                Some(inner) if !inner.released.get() => {
                    inner.become_writer();
                    held.into()
                }
                // Released meanwhile: let go at once.
                _ => JsValue::UNDEFINED,
            }
        });
        let options = Object::new();
        if let Some(controller) = &inner.queued {
            let _ = Reflect::set(&options, &"signal".into(), &controller.signal());
        }
        if let Ok(promise) = request.call3(
            &locks,
            &JsValue::from_str(name),
            options.as_ref(),
            &callback,
        ) {
            settle_quietly(promise);
        }
    }
    WriterLock { inner }
}
