//! Protocol Buffers' wire format, as much of it as the signalling subset
//! needs: reading fields one by one and writing them. The browser reads and
//! writes a dozen LiveKit messages; prost's generated code for the whole
//! `SignalRequest` and `SignalResponse` (every variant, every field) made
//! the browser's WASM 71 KB larger (22 KB gzip) than this does.

/// One field's value, by wire type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Varint(u64),
    Fixed64(u64),
    Bytes(&'a [u8]),
    Fixed32(u32),
}

impl<'a> Value<'a> {
    pub fn varint(self) -> Option<u64> {
        match self {
            Self::Varint(v) => Some(v),
            _ => None,
        }
    }

    /// An `int32` or an enum: negative values travel as ten-byte varints.
    pub fn int32(self) -> Option<i32> {
        self.varint().map(|v| v as i32)
    }

    pub fn uint32(self) -> Option<u32> {
        self.varint().map(|v| v as u32)
    }

    pub fn int64(self) -> Option<i64> {
        self.varint().map(|v| v as i64)
    }

    pub fn bool(self) -> Option<bool> {
        self.varint().map(|v| v != 0)
    }

    pub fn float(self) -> Option<f32> {
        match self {
            Self::Fixed32(v) => Some(f32::from_bits(v)),
            _ => None,
        }
    }

    pub fn bytes(self) -> Option<&'a [u8]> {
        match self {
            Self::Bytes(b) => Some(b),
            _ => None,
        }
    }

    pub fn string(self) -> Option<String> {
        std::str::from_utf8(self.bytes()?).ok().map(str::to_string)
    }
}

/// The fields of one message, in order. Yields `None` for the rest of a
/// malformed message: a truncated value, a bad varint, a group.
pub struct Fields<'a> {
    rest: &'a [u8],
    failed: bool,
}

pub fn fields(message: &[u8]) -> Fields<'_> {
    Fields {
        rest: message,
        failed: false,
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = Option<(u32, Value<'a>)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() || self.failed {
            return None;
        }
        let field = self.field();
        self.failed = field.is_none();
        Some(field)
    }
}

impl<'a> Fields<'a> {
    fn field(&mut self) -> Option<(u32, Value<'a>)> {
        let key = self.varint()?;
        let number = u32::try_from(key >> 3).ok().filter(|&n| n != 0)?;
        let value = match key & 7 {
            0 => Value::Varint(self.varint()?),
            1 => Value::Fixed64(u64::from_le_bytes(self.take(8)?.try_into().ok()?)),
            2 => {
                let len = usize::try_from(self.varint()?).ok()?;
                Value::Bytes(self.take(len)?)
            }
            5 => Value::Fixed32(u32::from_le_bytes(self.take(4)?.try_into().ok()?)),
            _ => return None, // groups (3, 4) are long deprecated; 6 and 7 do not exist
        };
        Some((number, value))
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.rest.len() {
            return None;
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Some(head)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        for i in 0..10 {
            let byte = *self.take(1)?.first()?;
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte < 0x80 {
                return Some(value);
            }
        }
        None
    }
}

/// Writes a message. Fields holding their type's default are left out, as
/// proto3 does, except through [`Writer::oneof_varint`] and
/// [`Writer::oneof_message`]: a oneof's chosen field is always written.
#[derive(Default)]
pub struct Writer {
    out: Vec<u8>,
}

impl Writer {
    pub fn finish(self) -> Vec<u8> {
        self.out
    }

    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.out.push(v as u8 | 0x80);
            v >>= 7;
        }
        self.out.push(v as u8);
    }

    fn key(&mut self, field: u32, wire_type: u8) {
        self.varint(u64::from(field) << 3 | u64::from(wire_type));
    }

    pub fn oneof_varint(&mut self, field: u32, v: u64) {
        self.key(field, 0);
        self.varint(v);
    }

    pub fn varint_field(&mut self, field: u32, v: u64) {
        if v != 0 {
            self.oneof_varint(field, v);
        }
    }

    /// An `int32` or enum field: negative values sign-extend to 64 bits.
    pub fn int32(&mut self, field: u32, v: i32) {
        self.varint_field(field, i64::from(v) as u64);
    }

    pub fn int64(&mut self, field: u32, v: i64) {
        self.varint_field(field, v as u64);
    }

    pub fn bool(&mut self, field: u32, v: bool) {
        self.varint_field(field, u64::from(v));
    }

    pub fn string(&mut self, field: u32, v: &str) {
        if !v.is_empty() {
            self.key(field, 2);
            self.varint(v.len() as u64);
            self.out.extend_from_slice(v.as_bytes());
        }
    }

    /// A message field, written by `body`, even if empty.
    pub fn oneof_message(&mut self, field: u32, body: impl FnOnce(&mut Writer)) {
        let mut inner = Writer::default();
        body(&mut inner);
        self.key(field, 2);
        self.varint(inner.out.len() as u64);
        self.out.extend_from_slice(&inner.out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(message: &[u8]) -> Vec<Option<(u32, Value<'_>)>> {
        fields(message).collect()
    }

    #[test]
    fn reads_each_wire_type() {
        // 1: varint 300; 2: fixed64 1; 3: bytes "hi"; 4: fixed32 1.5f
        let mut m = vec![
            0x08, 0xac, 0x02, 0x11, 1, 0, 0, 0, 0, 0, 0, 0, 0x1a, 2, b'h', b'i',
        ];
        m.push(0x25);
        m.extend_from_slice(&1.5f32.to_le_bytes());
        assert_eq!(
            all(&m),
            [
                Some((1, Value::Varint(300))),
                Some((2, Value::Fixed64(1))),
                Some((3, Value::Bytes(b"hi"))),
                Some((4, Value::Fixed32(1.5f32.to_bits()))),
            ]
        );
        assert_eq!(Value::Fixed32(1.5f32.to_bits()).float(), Some(1.5));
    }

    #[test]
    fn a_malformed_message_ends_in_one_none() {
        // Truncated length, a group, field number 0, an endless varint.
        for bad in [
            &[0x0a, 5, b'a'][..],
            &[0x0b],
            &[0x00, 1],
            &[
                0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
            ],
        ] {
            let got = all(bad);
            assert_eq!(got.last(), Some(&None), "{bad:?}");
            assert!(got[..got.len() - 1].iter().all(Option::is_some));
        }
        assert!(all(&[]).is_empty());
    }

    #[test]
    fn a_wrong_wire_type_reads_as_none() {
        assert_eq!(Value::Varint(1).string(), None);
        assert_eq!(Value::Bytes(b"x").varint(), None);
        assert_eq!(Value::Bytes(&[0xff]).string(), None, "not UTF-8");
        assert_eq!(Value::Varint(u64::MAX).int32(), Some(-1));
    }

    #[test]
    fn writes_what_it_reads_and_leaves_defaults_out() {
        let mut w = Writer::default();
        w.string(1, "sdp");
        w.string(2, "");
        w.int32(3, -2);
        w.int64(4, 0);
        w.bool(5, true);
        w.oneof_message(6, |_| {});
        w.oneof_varint(7, 0);
        let bytes = w.finish();
        assert_eq!(
            all(&bytes),
            [
                Some((1, Value::Bytes(b"sdp"))),
                Some((3, Value::Varint(-2i64 as u64))),
                Some((5, Value::Varint(1))),
                Some((6, Value::Bytes(b""))),
                Some((7, Value::Varint(0))),
            ]
        );
    }
}
