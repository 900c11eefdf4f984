//! Identity and authorisation: the generated route × subject matrix, sign-in flows,
//! relay scopes and revocation, event visibility on REST and the live WebSocket, and
//! that no secret reaches the logs.

mod fixture;
mod flows;
mod limits;
mod matrix;
mod oidc;
mod visibility;
