//! The size floor: what the crates the design names cost in the wasm before any of
//! kubesim is added.
//!
//! kubesim's page budget (issue #11: the whole page at most 450 KB gzipped, xterm.js
//! included) has to hold these crates. This program uses each of them the way
//! kubesim does, so the linker keeps what kubesim would keep of them:
//! - `k8s`: every kind the course stores is decoded from and encoded to JSON through
//!   its k8s-openapi type, cloned and compared (the store's four operations);
//! - `yaml`: a manifest is read through serde_yaml_ng into a `serde_json::Value`;
//! - `ui`: a Yew function component renders and reacts to input.
//!
//! The input comes from the page at run time, so nothing can be folded away.

#[cfg(feature = "k8s")]
use k8s_openapi::api::{apps::v1 as apps, core::v1 as core, discovery::v1 as discovery, networking::v1 as networking};

/// Decodes one object of type `T`, clones and compares it, and encodes it again.
#[cfg(feature = "k8s")]
fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize + Clone + PartialEq>(value: serde_json::Value) -> String {
    match serde_json::from_value::<T>(value) {
        Ok(object) => {
            let copy = object.clone();
            if copy != object {
                return String::new();
            }
            match serde_json::to_value(&copy) {
                Ok(v) => v.to_string(),
                Err(e) => e.to_string(),
            }
        }
        Err(e) => e.to_string(),
    }
}

/// Reads `text` (YAML with `yaml`, else JSON) and round-trips it as `kind`.
fn convert(kind: &str, text: &str) -> String {
    #[cfg(feature = "yaml")]
    let parsed: Result<serde_json::Value, String> = serde_yaml_ng::from_str(text).map_err(|e| e.to_string());
    #[cfg(not(feature = "yaml"))]
    let parsed: Result<serde_json::Value, String> = serde_json::from_str(text).map_err(|e| e.to_string());
    let value = match parsed {
        Ok(v) => v,
        Err(e) => return e,
    };
    #[cfg(feature = "k8s")]
    {
        match kind {
            "Pod" => round_trip::<core::Pod>(value),
            "Service" => round_trip::<core::Service>(value),
            "Node" => round_trip::<core::Node>(value),
            "Namespace" => round_trip::<core::Namespace>(value),
            "ConfigMap" => round_trip::<core::ConfigMap>(value),
            "Secret" => round_trip::<core::Secret>(value),
            "Event" => round_trip::<core::Event>(value),
            "Endpoints" => round_trip::<core::Endpoints>(value),
            "Deployment" => round_trip::<apps::Deployment>(value),
            "ReplicaSet" => round_trip::<apps::ReplicaSet>(value),
            "DaemonSet" => round_trip::<apps::DaemonSet>(value),
            "EndpointSlice" => round_trip::<discovery::EndpointSlice>(value),
            "Ingress" => round_trip::<networking::Ingress>(value),
            "IngressClass" => round_trip::<networking::IngressClass>(value),
            _ => value.to_string(),
        }
    }
    #[cfg(not(feature = "k8s"))]
    format!("{kind} {value}")
}

#[cfg(feature = "ui")]
mod ui {
    use yew::prelude::*;

    #[function_component]
    pub fn App() -> Html {
        let text = use_state(String::new);
        let oninput = {
            let text = text.clone();
            Callback::from(move |e: InputEvent| {
                let typed = e.data().unwrap_or_default();
                text.set(super::convert(&typed, &typed));
            })
        };
        html! { <div><textarea {oninput}/><pre>{ (*text).clone() }</pre></div> }
    }
}

#[cfg(feature = "ui")]
fn main() {
    yew::Renderer::<ui::App>::new().render();
}

/// Without Yew, the page calls the conversion itself.
#[cfg(not(feature = "ui"))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn convert_js(kind: &str, text: &str) -> String {
    convert(kind, text)
}

#[cfg(not(feature = "ui"))]
fn main() {}
