//! What the shells render: the view-state types, the module list as loaded, and how both are
//! built from the model and the cache.

mod module_list;
mod present;
pub mod view;

pub(crate) use module_list::ModuleList;
pub(crate) use present::view_state;
