//! An in-memory cache of people's public views (name, avatar colour), which
//! every call view needs and which nothing in Belfry changes once an account
//! exists. Whatever later edits a profile must also drop the entry here.

use std::collections::HashMap;
use std::sync::RwLock;

use super::db::{users, Db};
use crate::calls::ids::UserId;
use crate::contract::types::UserView;

#[derive(Default)]
pub struct People {
    known: RwLock<HashMap<UserId, UserView>>,
}

impl People {
    /// The views of these people; unknown ones are read from the database.
    pub async fn get_many(
        &self,
        db: &Db,
        ids: &[UserId],
    ) -> Result<HashMap<UserId, UserView>, sqlx::Error> {
        let mut found = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        {
            let known = self.known.read().unwrap_or_else(|e| e.into_inner());
            for id in ids {
                match known.get(id) {
                    Some(view) => {
                        found.insert(*id, view.clone());
                    }
                    None => missing.push(*id),
                }
            }
        }
        if !missing.is_empty() {
            let fresh = users::find_many(db, &missing).await?;
            let mut known = self.known.write().unwrap_or_else(|e| e.into_inner());
            for view in fresh {
                known.insert(view.id, view.clone());
                found.insert(view.id, view);
            }
        }
        Ok(found)
    }
}
