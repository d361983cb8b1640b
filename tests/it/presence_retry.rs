//! A departure from a media room whose write fails (another process holds
//! SQLite's write lock past the 5 s busy timeout) is tried again, so the
//! person still counts as gone and the 1:1 call still ends.

use std::time::Duration;

use belfry::calls::CallStatus;
use belfry::media::driver::PresenceChange;
use belfry::media::sfu::Presence;
use belfry::server::db;

use crate::common::{Parish, TestApp};
use crate::signal_client::two_in_a_room;

#[tokio::test]
async fn a_departure_whose_write_fails_is_retried_until_it_lands() {
    let p = Parish::in_app(TestApp::with_sfu(|_| {}).await).await;
    if !p.app.database_url.starts_with("sqlite:") {
        return;
    }
    let room = two_in_a_room(&p).await;
    let id = room.call.id;
    let status = || async {
        (db::calls::load(&p.app.state.db, id).await.unwrap().unwrap())
            .state
            .status
    };
    let mut lock = crate::common::sqlite_write_lock(&p.app.database_url).await;
    // Bob goes from the room; his departure is applied after the 5 s
    // grace, into a database that refuses writes for 5 s more.
    let stored = db::calls::load(&p.app.state.db, id).await.unwrap().unwrap();
    let gone = PresenceChange {
        presence: Presence {
            room: stored.room_name.clone(),
            identity: room.bob_id.clone(),
            sid: room.bob_sid.clone(),
            name: "Bob".into(),
        },
        joined: false,
    };
    p.app.state.presence.send(gone).unwrap();
    tokio::time::sleep(Duration::from_millis(10_600)).await;
    assert_eq!(
        status().await,
        CallStatus::Active,
        "the write is still held off"
    );
    sqlx::query("COMMIT").execute(&mut lock).await.unwrap();
    // The retry lands within moments of the lock's release (long before
    // the SFU would drop these signalling-only clients for silence).
    let mut now = CallStatus::Active;
    for _ in 0..20 {
        now = status().await;
        if now != CallStatus::Active {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(now, CallStatus::Ended);
}
