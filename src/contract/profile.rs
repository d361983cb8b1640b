//! What the profile page and the server agree on.

/// Avatar backgrounds a person may choose, each dark enough for white
/// initials at WCAG AA (4.5:1), with the name a screen reader says.
pub const AVATAR_COLORS: [(&str, &str); 8] = [
    ("#1d4ed8", "Blue"),
    ("#b91c1c", "Red"),
    ("#047857", "Green"),
    ("#7c3aed", "Violet"),
    ("#b45309", "Amber"),
    ("#be185d", "Pink"),
    ("#0f766e", "Teal"),
    ("#4338ca", "Indigo"),
];

/// The colour's name, if it is one of the palette's.
pub fn color_name(color: &str) -> Option<&'static str> {
    (AVATAR_COLORS.iter())
        .find(|(c, _)| c.eq_ignore_ascii_case(color))
        .map(|(_, name)| *name)
}
