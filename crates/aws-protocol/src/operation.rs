//! Typed operation enums. A service lists the operations it implements
//! once; the kit turns the wire name (`X-Amz-Target`'s suffix, the awsQuery
//! `Action`, a restJson1 route's name) into a variant, and every other
//! name into AWS's error naming the operation.

/// Declares an operation enum whose variants are named exactly as AWS
/// names the operations:
///
/// ```
/// lakestack_aws_protocol::operations! {
///     /// What the example service does.
///     pub enum ExampleOp { GetThing, PutThing }
/// }
/// assert_eq!("GetThing".parse::<ExampleOp>(), Ok(ExampleOp::GetThing));
/// assert_eq!(ExampleOp::PutThing.name(), "PutThing");
/// assert_eq!(ExampleOp::ALL.len(), 2);
/// assert!("Nope".parse::<ExampleOp>().is_err());
/// ```
#[macro_export]
macro_rules! operations {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($op:ident),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name { $($op),* }

        impl $name {
            /// Every operation, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$op),*];

            /// The operation's name as AWS spells it.
            pub fn name(self) -> &'static str {
                match self { $($name::$op => stringify!($op)),* }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::UnknownOperation;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                match s {
                    $(stringify!($op) => Ok($name::$op),)*
                    _ => Err($crate::UnknownOperation(s.to_owned())),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

/// An operation name no variant of a service's enum has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownOperation(pub String);
