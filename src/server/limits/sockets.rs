//! Sockets held open at once, per person: a slot is taken when a socket
//! opens and given back when it closes (the slot is dropped).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct Sockets {
    max: usize,
    open: Arc<Mutex<HashMap<String, usize>>>,
}

/// One open socket's place; dropping it frees the place.
pub struct SocketSlot {
    key: String,
    open: Arc<Mutex<HashMap<String, usize>>>,
}

impl Sockets {
    pub fn new(max: usize) -> Self {
        Self {
            max,
            open: Arc::default(),
        }
    }

    /// A place for one more socket of `key`, or `None` when it has `max`.
    pub fn open(&self, key: &str) -> Option<SocketSlot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let n = open.entry(key.to_string()).or_insert(0);
        if *n >= self.max {
            return None;
        }
        *n += 1;
        Some(SocketSlot {
            key: key.to_string(),
            open: self.open.clone(),
        })
    }

    /// Open sockets of every key.
    pub fn total(&self) -> usize {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.values().sum()
    }

    pub fn count(&self, key: &str) -> usize {
        let open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.get(key).copied().unwrap_or(0)
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = open.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_counted_per_key_and_given_back_on_drop() {
        let s = Sockets::new(2);
        let a = s.open("alice").unwrap();
        let _b = s.open("alice").unwrap();
        assert!(s.open("alice").is_none());
        assert!(s.open("bob").is_some());
        drop(a);
        assert_eq!(s.count("alice"), 1);
        assert!(s.open("alice").is_some());
    }
}
