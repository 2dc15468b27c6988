//! A service: `Service::builder()` with its settings, then its subsets (keeping their
//! handles) and its routes.

use proc_macro2::Delimiter::Brace;

use super::code::Code;
use super::route::route_of;
use super::security::allow_rules;
use super::value::{Handles, handle, name_setter, named_record, setters};
use crate::syntax::service::ServiceNode;

/// The local binding a service is built in.
const SERVICE: &str = "service";

pub(super) fn service(code: &mut Code, node: &ServiceNode) {
    code.group(Brace, |code| {
        code.push("#[allow(unused_mut)] let mut ");
        code.binding(SERVICE);
        code.push(" = ");
        code.path("Service::builder()");
        name_setter(code, &node.name.value);
        setters(code, &node.fields, Handles::None);
        if !node.allow.is_empty() {
            code.call(".allow", |code| allow_rules(code, &node.allow));
        }
        code.push(".build(); ");
        for (i, subset) in node.subsets.iter().enumerate() {
            code.push("let ");
            code.binding(&handle(i));
            code.push(" = ");
            code.binding(SERVICE);
            code.call(".add_subset", |code| {
                named_record(code, "Subset", &subset.name.value, &subset.fields);
            });
            code.push("; ");
        }
        for route in &node.routes {
            code.binding(SERVICE);
            code.call(".add_route", |code| route_of(code, route, node));
            code.push("; ");
        }
        code.binding(SERVICE);
    });
}
