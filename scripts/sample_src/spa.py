"""Spanish articles (spa_Latn)."""

ARTICLES = [
"""El ayuntamiento aprueba la peatonalización del casco antiguo
El pleno del ayuntamiento aprobó el jueves la peatonalización de las calles del casco antiguo, una medida que llevaba años en discusión y que entrará en vigor a partir del próximo otoño.
Los vecinos podrán seguir accediendo en coche a sus garajes, pero el tráfico de paso quedará prohibido y se ampliarán las aceras y las zonas con árboles.
Los comerciantes están divididos: algunos creen que la medida atraerá a más visitantes, mientras que otros temen perder a los clientes que llegan en coche desde los pueblos cercanos.""",

"""Las lluvias torrenciales inundan varios barrios de la costa
Una tormenta de gran intensidad descargó en pocas horas más lluvia de la que suele caer en todo un mes, y provocó inundaciones en varios barrios situados cerca de la desembocadura del río.
Los bomberos tuvieron que rescatar a varias personas atrapadas en sus coches en pasos subterráneos, y las clases se suspendieron en una decena de colegios durante la mañana del martes.
Las autoridades pidieron a la población que evitara los desplazamientos innecesarios y recordaron que nunca se debe cruzar una calle inundada, aunque el agua parezca poco profunda.""",

"""Un equipo de baloncesto de barrio llega a la final nacional
Un modesto equipo juvenil de baloncesto, formado por chicos de un barrio obrero de la periferia, se ha clasificado para la final del campeonato nacional tras ganar un partido muy igualado.
El entrenador, un antiguo jugador que trabaja como conductor de autobús, lleva casi diez años dedicando sus tardes al club sin cobrar nada a cambio.
Los vecinos han organizado una colecta para pagar el viaje de los jugadores y de sus familias, y el ayuntamiento ha prometido instalar una pantalla gigante en la plaza para seguir el partido.""",

"""Científicos descubren bacterias capaces de degradar plásticos
Un grupo de investigadores de una universidad pública ha identificado bacterias capaces de descomponer ciertos tipos de plástico en pocas semanas, un proceso que en la naturaleza puede tardar siglos.
Las bacterias fueron encontradas en un vertedero cercano a la ciudad, donde al parecer se han adaptado a alimentarse de los restos de envases que se acumulan desde hace décadas.
Los científicos advierten de que aún queda mucho trabajo antes de poder aplicar el descubrimiento a gran escala, pero creen que podría ayudar a reducir los residuos en el futuro.""",

"""El precio del aceite de oliva vuelve a subir
El precio del aceite de oliva ha vuelto a subir en los supermercados después de una campaña marcada por la sequía, que redujo la cosecha a casi la mitad en algunas de las principales zonas productoras.
Muchos consumidores han empezado a comprar otros aceites más baratos, mientras que los restaurantes intentan ajustar sus menús para no trasladar todo el aumento a los clientes.
Los agricultores confían en que las lluvias de la primavera permitan una recuperación de la producción, aunque advierten de que los olivos necesitan tiempo para recuperarse de varios años difíciles.""",

"""La biblioteca municipal celebra su centenario con una gran exposición
La biblioteca municipal cumple cien años y lo celebra con una exposición que reúne documentos, fotografías y libros antiguos que cuentan la historia de la institución y de la ciudad.
Entre las piezas más curiosas figura el primer registro de préstamos, escrito a mano, en el que aparecen los nombres de algunos vecinos que más tarde serían conocidos escritores.
La directora explicó que la biblioteca recibe hoy más visitas que nunca, sobre todo de estudiantes y de personas mayores que acuden a los talleres de lectura y de informática.""",

"""Los agricultores protestan con sus tractores en la capital
Cientos de agricultores llegaron a la capital con sus tractores para protestar contra los bajos precios que reciben por sus productos y contra el aumento de los costes de producción.
Los manifestantes recorrieron las principales avenidas hasta la sede del ministerio, donde una delegación fue recibida por representantes del gobierno durante más de dos horas.
Las organizaciones agrarias aseguran que muchas explotaciones familiares están al borde del cierre y piden medidas urgentes, como ayudas para el gasóleo y controles más estrictos de las importaciones.""",

"""Una ola de frío deja nevadas en zonas poco habituales
Una masa de aire polar ha provocado nevadas en zonas donde la nieve es muy poco frecuente, incluidas algunas ciudades cercanas a la costa, y ha obligado a cerrar varias carreteras de montaña.
Los servicios meteorológicos prevén que las temperaturas sigan por debajo de cero durante las noches de los próximos días, con heladas intensas en el interior.
Las autoridades han activado los planes de emergencia para atender a las personas sin hogar y han recomendado revisar las calefacciones para evitar intoxicaciones.""",

"""Una joven directora triunfa en el festival de cine
Una directora de apenas veintiocho años ha ganado el premio principal del festival de cine con su primera película, una historia sobre tres hermanas que regresan al pueblo de su infancia.
La película, rodada con un presupuesto muy reducido y con actores no profesionales, emocionó al público en la sesión de estreno, que terminó con varios minutos de aplausos.
La directora dedicó el premio a su abuela, que le contaba las historias que inspiraron el guion, y anunció que ya prepara un segundo proyecto en la misma comarca.""",

"""El turismo rural bate récords durante el verano
Las casas rurales del interior han registrado este verano la mayor ocupación de su historia, impulsadas por viajeros que buscan tranquilidad, naturaleza y temperaturas más suaves que en la costa.
Los propietarios destacan que cada vez más visitantes llegan desde otros países y que muchos se quedan más de una semana para recorrer los pueblos de la zona.
Sin embargo, algunos alcaldes alertan de la falta de servicios básicos, como centros de salud y transporte público, que dificulta la vida de los vecinos durante todo el año.""",

"""Los médicos de familia reclaman más tiempo por paciente
Los médicos de atención primaria de la región han convocado concentraciones frente a los centros de salud para reclamar más personal y más tiempo para atender a cada paciente.
Según los sindicatos, muchos profesionales atienden a más de cuarenta personas al día, lo que les deja apenas unos minutos por consulta y provoca largas listas de espera.
La consejería de sanidad ha anunciado la contratación de nuevos médicos para el próximo año, pero los representantes de los trabajadores consideran que la medida es insuficiente.""",

"""La ciudad estrena un gran parque junto al río
La ciudad inauguró el sábado un gran parque de más de veinte hectáreas junto al río, en unos terrenos que durante décadas ocuparon fábricas abandonadas y almacenes en ruinas.
El proyecto ha recuperado la antigua ribera con caminos para peatones y bicicletas, zonas de juegos infantiles, huertos urbanos y un pequeño humedal donde ya se han visto garzas y patos.
Miles de vecinos acudieron a la inauguración, que incluyó conciertos y actividades para niños durante todo el día. Muchos recordaban cómo era la zona cuando las fábricas todavía funcionaban.
El alcalde explicó que el parque forma parte de un plan más amplio para conectar los barrios del norte con el centro, y anunció que la segunda fase, con un puente peatonal sobre el río, comenzará el año que viene. Los vecinos podrán proponer nombres para los nuevos senderos a través de la página web municipal.""",
]
