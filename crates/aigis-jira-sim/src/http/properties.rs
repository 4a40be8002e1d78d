//! Issue entity properties.

use serde_json::{Value, json};

use super::reply::{empty, json_resp};
use super::{Ctx, HResult, Req, reply};
use crate::store;

pub const MAX_PROPERTY_VALUE: usize = 32_768;
pub const MAX_PROPERTY_KEY: usize = 255;

/// One `{key, value}` of a `properties` array: (key, value JSON text).
pub fn property_item(item: &Value) -> Result<(String, String), String> {
    let key = item
        .get("key")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty() && k.chars().count() <= MAX_PROPERTY_KEY)
        .ok_or("Each property needs a key of 1 to 255 characters.")?;
    let value = item
        .get("value")
        .ok_or_else(|| format!("Property '{key}' has no value."))?;
    let text = value.to_string();
    if text.len() > MAX_PROPERTY_VALUE {
        return Err(format!(
            "The value of property '{key}' cannot be longer than 32768 bytes."
        ));
    }
    Ok((key.to_string(), text))
}

/// A `properties` array (absent or null: none).
pub fn property_items(v: Option<&Value>) -> Result<Vec<(String, String)>, String> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items.iter().map(property_item).collect(),
        Some(_) => Err("Properties must be an array of {key, value}.".into()),
    }
}

fn no_property(key: &str) -> super::Fail {
    reply::fail(
        404,
        &format!("The property with key '{key}' does not exist."),
    )
}

pub fn property_keys(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let issue = ctx.visible_issue(req.param("issueIdOrKey"))?;
    let keys: Vec<Value> = store::properties_of(ctx.tx, issue.id)?
        .into_iter()
        .map(|(k, _)| {
            json!({
                "key": k,
                "self": format!("{}/rest/api/3/issue/{}/properties/{k}", ctx.base, issue.id),
            })
        })
        .collect();
    Ok(json_resp(200, &json!({ "keys": keys })))
}

pub fn get_property(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let issue = ctx.visible_issue(req.param("issueIdOrKey"))?;
    let key = req.param("propertyKey");
    match store::property(ctx.tx, issue.id, key)? {
        Some(v) => {
            let value: Value = serde_json::from_str(&v)?;
            Ok(json_resp(200, &json!({"key": key, "value": value})))
        }
        None => Err(no_property(key)),
    }
}

pub fn put_property(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let issue = ctx.visible_issue(req.param("issueIdOrKey"))?;
    let key = req.param("propertyKey");
    let Some(value) = &req.body else {
        return Err(reply::fail(400, "The property value must be valid JSON."));
    };
    if key.is_empty() || key.chars().count() > MAX_PROPERTY_KEY {
        return Err(reply::fail(
            400,
            "The property key cannot be empty or longer than 255 characters.",
        ));
    }
    let text = value.to_string();
    if text.len() > MAX_PROPERTY_VALUE {
        return Err(reply::fail(
            400,
            "The property value cannot be longer than 32768 bytes.",
        ));
    }
    let existed = store::put_property(ctx.tx, issue.id, key, &text)?;
    Ok(empty(if existed { 200 } else { 201 }))
}

pub fn delete_property(ctx: &Ctx<'_>, req: &Req) -> HResult {
    let issue = ctx.visible_issue(req.param("issueIdOrKey"))?;
    let key = req.param("propertyKey");
    if !store::delete_property(ctx.tx, issue.id, key)? {
        return Err(no_property(key));
    }
    Ok(empty(204))
}
