"""Portuguese articles (por_Latn)."""

ARTICLES = [
"""Câmara municipal aprova novo plano de transportes
A câmara municipal aprovou na sexta-feira um novo plano de transportes que prevê mais autocarros nos bairros periféricos e a criação de faixas exclusivas nas principais avenidas da cidade.
O vereador responsável pela mobilidade explicou que o objetivo é reduzir o tempo de viagem dos trabalhadores que vivem longe do centro e que hoje passam mais de duas horas por dia no trânsito.
A oposição votou contra, alegando que o plano não apresenta um orçamento claro e que muitas das medidas dependem de financiamento europeu que ainda não está garantido.""",

"""Incêndios florestais obrigam a evacuar aldeias no interior
Vários incêndios florestais obrigaram as autoridades a evacuar três aldeias do interior durante a madrugada de domingo, numa altura em que as temperaturas ultrapassavam os quarenta graus.
Mais de quinhentos bombeiros, apoiados por meios aéreos, combateram as chamas ao longo do dia. O vento forte e a vegetação muito seca dificultaram o trabalho das equipas no terreno.
Os moradores foram acolhidos num pavilhão desportivo da vila mais próxima. Não há registo de feridos graves, mas várias casas e armazéns agrícolas ficaram destruídos.""",

"""Clube da vila conquista a taça regional de futebol
O pequeno clube da vila conquistou no domingo a taça regional de futebol, depois de vencer na final uma equipa da capital do distrito por três golos a um.
Os jogadores, quase todos naturais da terra, foram recebidos em festa na praça principal, onde centenas de pessoas esperavam com bandeiras, música e fogo de artifício.
O presidente do clube lembrou que há poucos anos a equipa esteve perto de acabar por falta de dinheiro e agradeceu aos comerciantes locais que ajudaram a manter a equipa em atividade.""",

"""Investigadores estudam corais resistentes ao calor
Uma equipa de biólogos marinhos está a estudar um conjunto de corais que sobreviveram a várias ondas de calor no oceano, na esperança de perceber o que os torna mais resistentes.
Os investigadores recolheram pequenas amostras e estão a cultivá-las em tanques no laboratório, onde testam diferentes temperaturas e níveis de acidez da água.
Se for possível identificar as características que protegem estes corais, os cientistas acreditam que poderão ajudar a recuperar recifes danificados noutras partes do mundo.""",

"""Preço das casas continua a subir nas grandes cidades
O preço médio das casas voltou a subir no último trimestre nas grandes cidades do país, segundo dados divulgados esta semana pelo instituto de estatística.
Os jovens são os mais afetados, já que muitos não conseguem comprar nem arrendar uma casa perto do local de trabalho e acabam por continuar a viver com os pais até mais tarde.
O governo prometeu construir milhares de habitações a preços acessíveis nos próximos anos, mas as associações de inquilinos consideram que as medidas chegam tarde e são insuficientes.""",

"""Festival de fado enche as ruas do bairro antigo
Durante três noites, as ruas estreitas do bairro antigo encheram-se de música com mais uma edição do festival de fado, que reuniu artistas consagrados e jovens cantores.
Os concertos decorreram em pequenas tascas, em igrejas e em largos ao ar livre, e muitos espetáculos esgotaram poucas horas depois de os bilhetes serem postos à venda.
Os organizadores destacaram a presença de muitos turistas estrangeiros, mas também de famílias do bairro que, por uma noite, voltaram a ouvir fado à porta de casa.""",

"""Greve dos professores encerra escolas em vários distritos
Uma greve nacional de professores levou ao encerramento de dezenas de escolas em vários distritos, deixando milhares de alunos sem aulas durante a manhã de quarta-feira.
Os sindicatos exigem a recuperação do tempo de serviço congelado durante a crise e melhores condições para os docentes que são colocados longe da sua residência.
O ministério da educação afirma estar disponível para negociar, mas lembra que as contas públicas não permitem satisfazer todas as reivindicações de uma só vez.""",

"""Chuva forte causa cheias no vale do rio
As chuvas intensas dos últimos dias provocaram cheias em várias localidades do vale do rio, onde a água chegou a entrar em casas, lojas e explorações agrícolas.
A proteção civil retirou de casa cerca de cem pessoas, sobretudo idosos que vivem em zonas mais baixas, e cortou o trânsito em várias estradas municipais.
Os agricultores temem grandes prejuízos nas culturas de inverno, que ficaram submersas durante mais de um dia, e pedem apoio ao governo para recuperar os campos.""",

"""Escritora estreante vence prémio literário nacional
Uma escritora de trinta e dois anos venceu o principal prémio literário do país com o seu primeiro romance, que conta a história de uma família de pescadores ao longo de três gerações.
O júri elogiou a linguagem simples e poética do livro, bem como a forma como a autora retrata a vida dura das comunidades do litoral e as mudanças trazidas pelo turismo.
A autora, que trabalha como professora numa escola secundária, disse que escreveu o livro durante as férias de verão e nunca imaginou que pudesse ganhar um prémio tão importante.""",

"""Agricultores apostam em culturas que precisam de menos água
Perante a falta de chuva dos últimos anos, cada vez mais agricultores do sul estão a trocar culturas que exigem muita água por plantas mais adaptadas ao clima seco, como a alfarroba e o figo.
Um produtor que herdou a exploração do pai explica que o poço da quinta secou duas vezes no último verão e que não podia continuar a depender da rega.
Os técnicos agrícolas recomendam também a instalação de sistemas de rega gota a gota e a plantação de árvores para proteger os solos da erosão e do calor.""",

"""Novo hospital abre portas no norte do distrito
O novo hospital do norte do distrito abriu as portas na segunda-feira, depois de vários anos de atrasos nas obras e de muitas reclamações da população local.
A unidade conta com urgência, bloco operatório e consultas de várias especialidades, o que vai evitar que muitos doentes tenham de percorrer mais de cem quilómetros para serem tratados.
A administração reconhece, no entanto, que ainda faltam alguns médicos e enfermeiros e que certos serviços só deverão funcionar em pleno dentro de alguns meses.""",

"""Antiga fábrica de conservas transformada em centro cultural
A antiga fábrica de conservas de peixe, fechada há mais de trinta anos, foi transformada num centro cultural com salas de exposição, um auditório e oficinas para artistas da região. As obras de recuperação demoraram quase três anos.
O edifício, situado junto ao porto, mantém as paredes de pedra, as janelas altas e parte das máquinas originais, que agora fazem parte de um pequeno museu sobre a indústria conserveira.
Muitas das antigas operárias estiveram presentes na inauguração e emocionaram-se ao recordar os tempos em que trabalhavam ali desde muito jovens, em turnos longos e com salários baixos.
A câmara municipal espera que o novo espaço atraia visitantes durante todo o ano e ajude a revitalizar a zona ribeirinha, onde muitos armazéns continuam abandonados. Está também prevista a abertura de um restaurante no antigo refeitório da fábrica.""",
]
