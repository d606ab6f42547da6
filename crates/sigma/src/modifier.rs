//! Value modifiers (Sigma specification v2.1, "Value Modifiers" appendix):
//! the words after `|` in a detection key such as `CommandLine|base64offset|contains`.

use serde::Serialize;

macro_rules! modifiers {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, )*) => {
        /// One value modifier.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Modifier {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Modifier {
            /// Every modifier, in specification order.
            pub const ALL: &'static [Modifier] = &[$(Modifier::$variant),*];

            /// The name as written in rules.
            pub fn as_str(self) -> &'static str {
                match self { $(Modifier::$variant => $name,)* }
            }

            /// Parse a modifier name; names are case-sensitive, as in pySigma.
            pub fn parse(name: &str) -> Option<Modifier> {
                match name { $($name => Some(Modifier::$variant),)* _ => None }
            }
        }
    };
}

modifiers! {
    /// Substring match: `*value*`.
    Contains = "contains",
    /// Prefix match: `value*`.
    StartsWith = "startswith",
    /// Suffix match: `*value`.
    EndsWith = "endswith",
    /// All values of the list must match (AND instead of OR).
    All = "all",
    /// Case-sensitive comparison.
    Cased = "cased",
    /// The field exists (`true`) or not (`false`).
    Exists = "exists",
    /// Regular expression (PCRE subset).
    Re = "re",
    /// Regex flag: case-insensitive.
    ReI = "i",
    /// Regex flag: multi-line (`^`/`$` at line breaks).
    ReM = "m",
    /// Regex flag: dot matches newline.
    ReS = "s",
    /// Value is an IPv4/IPv6 network in CIDR notation.
    Cidr = "cidr",
    /// Base64-encode the value.
    Base64 = "base64",
    /// The three base64 encodings of the value at each offset.
    Base64Offset = "base64offset",
    /// Encode the value as UTF-16 little-endian.
    Utf16le = "utf16le",
    /// Encode the value as UTF-16 big-endian.
    Utf16be = "utf16be",
    /// Encode the value as UTF-16 with byte order mark.
    Utf16 = "utf16",
    /// Alias of `utf16le`.
    Wide = "wide",
    /// Also match `-` written as `/`, `–`, `—`, `―`.
    Windash = "windash",
    /// The value names another field of the event to compare with.
    FieldRef = "fieldref",
    /// Numeric less-than.
    Lt = "lt",
    /// Numeric less-or-equal.
    Lte = "lte",
    /// Numeric greater-than.
    Gt = "gt",
    /// Numeric greater-or-equal.
    Gte = "gte",
    /// Not equal.
    Neq = "neq",
    /// Placeholders `%name%` in the value are expanded from configuration.
    Expand = "expand",
    /// Minute part of a timestamp field.
    Minute = "minute",
    /// Hour part of a timestamp field.
    Hour = "hour",
    /// Day-of-month part of a timestamp field.
    Day = "day",
    /// Week part of a timestamp field.
    Week = "week",
    /// Month part of a timestamp field.
    Month = "month",
    /// Year part of a timestamp field.
    Year = "year",
}

impl Modifier {
    /// What the modifier does to the comparison, for validation.
    pub fn class(self) -> ModifierClass {
        use Modifier::*;
        match self {
            Contains | StartsWith | EndsWith => ModifierClass::Position,
            All => ModifierClass::List,
            Cased => ModifierClass::Case,
            Exists => ModifierClass::Exists,
            Re => ModifierClass::Regex,
            ReI | ReM | ReS => ModifierClass::RegexFlag,
            Cidr => ModifierClass::Cidr,
            Base64 | Base64Offset => ModifierClass::Base64,
            Utf16le | Utf16be | Utf16 | Wide => ModifierClass::Encoding,
            Windash => ModifierClass::Windash,
            FieldRef => ModifierClass::FieldRef,
            Lt | Lte | Gt | Gte => ModifierClass::Compare,
            Neq => ModifierClass::NotEqual,
            Expand => ModifierClass::Expand,
            Minute | Hour | Day | Week | Month | Year => ModifierClass::TimePart,
        }
    }
}

/// Groups of modifiers with the same role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModifierClass {
    /// contains / startswith / endswith.
    Position,
    /// all.
    List,
    /// cased.
    Case,
    /// exists.
    Exists,
    /// re.
    Regex,
    /// i / m / s.
    RegexFlag,
    /// cidr.
    Cidr,
    /// base64 / base64offset.
    Base64,
    /// utf16le / utf16be / utf16 / wide.
    Encoding,
    /// windash.
    Windash,
    /// fieldref.
    FieldRef,
    /// lt / lte / gt / gte.
    Compare,
    /// neq.
    NotEqual,
    /// expand.
    Expand,
    /// minute … year.
    TimePart,
}

impl std::fmt::Display for Modifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Modifier {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Why a modifier chain is invalid: a message and help for the diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainProblem {
    /// Index in the chain of the modifier the problem is about.
    pub at: usize,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub help: String,
}

/// Check a modifier chain against the specification's rules of combination.
/// Returns every problem found (an empty list means the chain is valid).
pub fn check_chain(chain: &[Modifier]) -> Vec<ChainProblem> {
    use ModifierClass as C;
    let mut problems = Vec::new();
    let pos = |m: Modifier| chain.iter().position(|x| *x == m);
    let first_of = |c: C| chain.iter().position(|x| x.class() == c);
    let has = |c: C| first_of(c).is_some();
    let mut seen = Vec::new();
    for (i, m) in chain.iter().enumerate() {
        if seen.contains(m) {
            problems.push(ChainProblem {
                at: i,
                message: format!("modifier `{m}` is repeated"),
                help: format!("remove the second `|{m}`"),
            });
        }
        seen.push(*m);
    }
    let positions: Vec<usize> = (0..chain.len()).filter(|&i| chain[i].class() == C::Position).collect();
    if positions.len() > 1 {
        problems.push(ChainProblem {
            at: positions[1],
            message: format!("`{}` cannot be combined with `{}`", chain[positions[1]], chain[positions[0]]),
            help: "use one of contains, startswith, endswith; write a wildcard pattern for anything else".into(),
        });
    }
    // Modifiers that replace string matching altogether.
    let exclusive = [C::Regex, C::Cidr, C::Exists, C::Compare, C::TimePart];
    for class in exclusive {
        let Some(i) = first_of(class) else { continue };
        let allowed: &[C] = match class {
            C::Regex => &[C::Regex, C::RegexFlag, C::List, C::Case],
            C::Cidr => &[C::Cidr, C::List],
            C::Exists => &[C::Exists],
            C::Compare => &[C::Compare, C::FieldRef],
            C::TimePart => &[C::TimePart, C::List],
            _ => unreachable!(),
        };
        if let Some(j) = chain.iter().position(|m| !allowed.contains(&m.class()) && m.class() != class) {
            problems.push(ChainProblem {
                at: j.max(i),
                message: format!("`{}` cannot be combined with `{}`", chain[j], chain[i]),
                help: format!(
                    "`{}` decides the comparison by itself; drop `{}` or split the value",
                    chain[i], chain[j]
                ),
            });
        }
        let same: Vec<usize> = (0..chain.len()).filter(|&k| chain[k].class() == class).collect();
        if same.len() > 1 && matches!(class, C::Compare | C::TimePart) && chain[same[0]] != chain[same[1]] {
            problems.push(ChainProblem {
                at: same[1],
                message: format!("`{}` cannot be combined with `{}`", chain[same[1]], chain[same[0]]),
                help: "use one comparison per field; add another field entry for a range".into(),
            });
        }
    }
    if let Some(i) = first_of(C::RegexFlag) {
        match pos(Modifier::Re) {
            None => problems.push(ChainProblem {
                at: i,
                message: format!("regex flag `{}` without `re`", chain[i]),
                help: format!("write `|re|{}`", chain[i]),
            }),
            Some(r) if r > i => problems.push(ChainProblem {
                at: i,
                message: format!("regex flag `{}` comes before `re`", chain[i]),
                help: format!("write `|re|{}`", chain[i]),
            }),
            _ => {}
        }
    }
    // Encodings transform the value before base64; they are useless without it.
    if let Some(e) = first_of(C::Encoding) {
        match first_of(C::Base64) {
            None => problems.push(ChainProblem {
                at: e,
                message: format!("`{}` without `base64` or `base64offset`", chain[e]),
                help: format!(
                    "UTF-16 values only make sense base64-encoded: write `|{}|base64offset|contains`",
                    chain[e]
                ),
            }),
            Some(b) if b < e => problems.push(ChainProblem {
                at: e,
                message: format!("`{}` comes after `{}`", chain[e], chain[b]),
                help: format!("encode first, then base64: `|{}|{}`", chain[e], chain[b]),
            }),
            _ => {}
        }
        let encodings = (0..chain.len()).filter(|&k| chain[k].class() == C::Encoding).count();
        if encodings > 1 {
            problems.push(ChainProblem {
                at: e,
                message: "more than one UTF-16 encoding modifier".into(),
                help: "keep one of utf16le, utf16be, utf16, wide".into(),
            });
        }
    }
    if let (Some(b), Some(p)) = (first_of(C::Base64), first_of(C::Position)) {
        if p < b {
            problems.push(ChainProblem {
                at: p,
                message: format!("`{}` comes before `{}`", chain[p], chain[b]),
                help: format!("put the match position last: `|{}|{}`", chain[b], chain[p]),
            });
        }
    }
    if chain.iter().filter(|m| m.class() == C::Base64).count() > 1 {
        problems.push(ChainProblem {
            at: first_of(C::Base64).unwrap_or(0),
            message: "`base64` cannot be combined with `base64offset`".into(),
            help: "keep one of them".into(),
        });
    }
    if has(C::FieldRef) && (has(C::Base64) || has(C::Encoding) || has(C::Windash) || has(C::Expand)) {
        let j = chain
            .iter()
            .position(|m| matches!(m.class(), C::Base64 | C::Encoding | C::Windash | C::Expand))
            .unwrap_or(0);
        problems.push(ChainProblem {
            at: j,
            message: format!("`{}` cannot be combined with `fieldref`", chain[j]),
            help: "fieldref compares with another field's value as it is; drop the transformation".into(),
        });
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(s: &str) -> Vec<Modifier> {
        s.split('|').map(|m| Modifier::parse(m).unwrap()).collect()
    }

    #[test]
    fn valid_chains_from_the_corpus() {
        for c in [
            "contains",
            "contains|all",
            "endswith|cased",
            "re|i",
            "re|i|m|s",
            "base64offset|contains",
            "wide|base64offset|contains",
            "utf16le|base64",
            "windash|contains",
            "contains|windash",
            "cidr",
            "gte",
            "fieldref",
            "fieldref|endswith",
            "expand",
            "exists",
            "hour",
            "neq",
            "all|contains",
        ] {
            assert!(check_chain(&chain(c)).is_empty(), "{c}: {:?}", check_chain(&chain(c)));
        }
    }

    #[test]
    fn invalid_chains_are_reported() {
        for c in [
            "re|contains",
            "contains|startswith",
            "cidr|contains",
            "exists|contains",
            "i",
            "i|re",
            "wide",
            "base64|wide",
            "contains|base64",
            "base64|base64offset",
            "gt|lt",
            "contains|contains",
            "fieldref|base64",
        ] {
            assert!(!check_chain(&chain(c)).is_empty(), "{c} should be invalid");
        }
    }

    #[test]
    fn names_round_trip() {
        for m in Modifier::ALL {
            assert_eq!(Modifier::parse(m.as_str()), Some(*m));
        }
        assert_eq!(Modifier::parse("Contains"), None);
    }
}
