/** @asof/materializer (work in progress). */
export {};
