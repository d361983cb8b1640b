//! Security, tried as an attacker would: after every "they can't"
//! (removed, ended, not invited, muted, limited, from another site), each
//! test comes back by another door (an old token, a rejoin, a resume, a
//! re-invite, a retry) against the real server and its real SFU, and must
//! be refused. `matrix` holds the authorization table every endpoint must
//! have a row in.

mod cross_site;
mod limits;
mod matrix;
mod rooms;
